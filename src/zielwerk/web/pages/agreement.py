"""Zielvereinbarung: view, create, edit as a new version with a reason, sign, compare versions,
goal links as a graph. Every change is audited with before/after."""

from __future__ import annotations

from typing import Any

from fastapi import Form, HTTPException
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from zielwerk.store import agreements as store
from zielwerk.store.models import Agreement, AgreementVersion
from zielwerk.targets.model import PARTIES

from .. import signatures
from ..agreement_doc import DocumentError, compare, graph_svg, parse
from ..context import Ctx, PageCtx


def _get(ctx: Ctx, key: str) -> Agreement:
    agreement = store.get(ctx.db, key)
    if agreement is None:
        raise HTTPException(404, f"Die Zielvereinbarung „{key}“ gibt es nicht.")
    return agreement


def _version(agreement: Agreement, number: int | None) -> AgreementVersion:
    if number is None:
        return agreement.versions[-1]
    for v in agreement.versions:
        if v.number == number:
            return v
    raise HTTPException(404, f"Fassung {number} gibt es nicht.")


_FIELD_LABELS = {"value": "Zielwert", "change_pct": "Veränderung (%)", "change_points": "Veränderung (Prozentpunkte)",
                 "lower": "Untergrenze", "upper": "Obergrenze", "wert": "Zielwert"}
_SEX = {"all": "insgesamt", "f": "Frauen", "m": "Männer"}


def target_text(t: dict[str, Any]) -> str:
    """German description of a target's figures, e.g. 'absoluter Zielwert, insgesamt: Zielwert 25,0'."""
    from zielwerk.targets.model import FORMS

    from ..formats import number

    parts = [FORMS.get(str(t.get("form")), str(t.get("form", ""))), _SEX.get(str(t.get("sex", "all")), "")]
    figures = [f"{label} {number(t[k])}" for k, label in _FIELD_LABELS.items() if t.get(k) is not None]
    return ", ".join(p for p in parts if p) + (": " + "; ".join(figures) if figures else "")


def _summary(v: AgreementVersion) -> dict:
    return {"fassung": v.number, "begruendung": v.reason, "dokument": v.document}


def index(ctx: PageCtx) -> Response:
    ctx.require("agreement.view")
    return ctx.render("agreements.html", agreements=store.all_agreements(ctx.db))


def view(ctx: PageCtx, key: str, fassung: int | None = None, error: str = "") -> Response:
    ctx.require("agreement.view")
    agreement = _get(ctx, key)
    version = _version(agreement, fassung)
    try:
        doc = parse(version.document)
    except DocumentError as exc:
        doc, error = None, str(exc)
    quick: dict[str, list[tuple[str, str, Any]]] = {}
    if doc is not None and doc.model is not None and ctx.can("agreement.edit") and version is agreement.versions[-1]:
        for _, t in doc.model.targets():
            quick[t.id] = [(f, label, getattr(t, f)) for f, label in editable_fields(t)]
    sigs = signatures.signatures(version, doc.model if doc is not None else None)
    latest = version is agreement.versions[-1]
    return ctx.render("agreement.html", status_code=422 if error and doc is not None else 200, agreement=agreement,
                      version=version, doc=doc, error=error, graph=Markup(graph_svg(doc)) if doc else "",
                      quick=quick, target_text=target_text, signatures=sigs,
                      complete=signatures.complete(sigs), parties=PARTIES,
                      sign_parties=signatures.open_parties(ctx.role, sigs, ctx.user.username, version)
                      if latest and ctx.can("agreement.sign") else [])


def edit_form(ctx: PageCtx, key: str) -> Response:
    ctx.require("agreement.edit")
    agreement = _get(ctx, key)
    return ctx.render("agreement_edit.html", agreement=agreement, document=agreement.versions[-1].document,
                      reason="", error="")


def edit(ctx: PageCtx, key: str, document: str = Form(""), reason: str = Form("")) -> Response:
    ctx.require("agreement.edit")
    agreement = _get(ctx, key)
    before = agreement.versions[-1]
    error = ""
    if not reason.strip():
        error = "Bitte begründen Sie die Änderung."
    elif document.strip() == before.document.strip():
        error = "Das Dokument ist unverändert; es wurde keine neue Fassung angelegt."
    else:
        try:
            parse(document)
        except DocumentError as exc:
            error = str(exc)
    if error:
        return ctx.render("agreement_edit.html", status_code=422, agreement=agreement, document=document,
                          reason=reason, error=error)
    new = store.add_version(ctx.db, agreement, document.replace("\r\n", "\n"), reason=reason,
                            created_by=ctx.user.username)
    ctx.audit("agreement.version", object_type="agreement", object_id=f"{key}#{new.number}",
              before=_summary(before), after=_summary(new))
    return RedirectResponse(f"/zielvereinbarung/{key}", status_code=303)


def _signable(ctx: Ctx, key: str, fassung: int, partei: str) -> tuple[Agreement, AgreementVersion, str]:
    """The version to sign for ``partei`` — refused (409) when it is not the current version, the party has
    signed already or the user has; 422 when the role cannot sign for that party."""
    ctx.require("agreement.sign")
    agreement = _get(ctx, key)
    version = _version(agreement, fassung)
    if version is not agreement.versions[-1]:
        raise HTTPException(409, "Nur die aktuelle Fassung kann unterzeichnet werden.")
    own = signatures.ROLE_PARTIES.get(ctx.role, ())
    partei = partei or (own[0] if len(own) == 1 else "")
    if partei not in own:
        allowed = ", ".join(PARTIES[p] for p in signatures.ROLE_PARTIES.get(ctx.role, ()))
        raise HTTPException(422, f"Bitte die Partei wählen, für die Sie unterzeichnen ({allowed}).")
    sigs = signatures.state_of(version)
    if partei not in signatures.open_parties(ctx.role, sigs, ctx.user.username, version):
        raise HTTPException(409, f"Fassung {version.number} ist für „{PARTIES[partei]}“ oder von Ihnen "
                                 "bereits unterzeichnet.")
    return agreement, version, partei


def sign_form(ctx: PageCtx, key: str, fassung: int, partei: str = "") -> Response:
    """Confirmation step: what is signed, for which party, by whom."""
    agreement = _get(ctx, key)
    if not partei and len(signatures.ROLE_PARTIES.get(ctx.role, ())) == 1:
        partei = signatures.ROLE_PARTIES[ctx.role][0]
    if not partei:  # choose the party first
        ctx.require("agreement.sign")
        version = _version(agreement, fassung)
        choices = signatures.open_parties(ctx.role, signatures.state_of(version), ctx.user.username, version)
        return ctx.render("agreement_sign.html", agreement=agreement, version=version, partei="", choices=choices,
                          parties=PARTIES, error="")
    agreement, version, partei = _signable(ctx, key, fassung, partei)
    return ctx.render("agreement_sign.html", agreement=agreement, version=version, partei=partei, choices=[],
                      parties=PARTIES, error="")


def sign(ctx: PageCtx, key: str, fassung: int = Form(...), partei: str = Form(""),
         bestaetigt: str = Form("")) -> Response:
    agreement, version, partei = _signable(ctx, key, fassung, partei)
    if bestaetigt != "ja":
        return ctx.render("agreement_sign.html", status_code=422, agreement=agreement, version=version,
                          partei=partei, choices=[], parties=PARTIES,
                          error="Bitte bestätigen Sie die Unterschrift (Kästchen ankreuzen).")
    before = list(version.signatures)
    try:
        store.sign(ctx.db, version, ctx.user.username, ctx.role, party=partei,
                   name=ctx.user.full_name or ctx.user.username)
    except store.AgreementError as exc:
        raise HTTPException(409, str(exc)) from exc
    ctx.audit("agreement.sign", object_type="agreement", object_id=f"{key}#{version.number}",
              before={"unterschriften": before}, after={"unterschriften": version.signatures, "partei": partei})
    return RedirectResponse(f"/zielvereinbarung/{key}?fassung={version.number}", status_code=303)


def compare_versions(ctx: PageCtx, key: str, a: int | None = None, b: int | None = None) -> Response:
    ctx.require("agreement.view")
    agreement = _get(ctx, key)
    if len(agreement.versions) < 2 and (a is None or b is None):
        return ctx.render("agreement_compare.html", agreement=agreement, old=None, new=None, changes=[])
    old = _version(agreement, a if a is not None else agreement.versions[-2].number)
    new = _version(agreement, b if b is not None else agreement.versions[-1].number)
    return ctx.render("agreement_compare.html", agreement=agreement, old=old, new=new,
                      changes=compare(old.document, new.document))


def create_form(ctx: PageCtx) -> Response:
    ctx.require("agreement.edit")
    return ctx.render("agreement_new.html", error="", values={})


def create(ctx: PageCtx, key: str = Form(""), title: str = Form(""), jobcenter_id: str = Form(""),
                 year: str = Form(""), document: str = Form("")) -> Response:
    ctx.require("agreement.edit")
    values = {"key": key, "title": title, "jobcenter_id": jobcenter_id, "year": year, "document": document}
    error = ""
    if not key.strip() or not key.replace("-", "").replace("_", "").isalnum():
        error = "Kennung: nur Buchstaben, Ziffern, „-“ und „_“."
    elif not title.strip() or not jobcenter_id.strip():
        error = "Titel und Jobcenter sind Pflichtangaben."
    elif not year.isdigit() or not 2005 <= int(year) <= 2100:
        error = "Jahr: bitte eine vierstellige Jahreszahl angeben."
    else:
        try:
            parse(document)
        except DocumentError as exc:
            error = str(exc)
    if not error and store.get(ctx.db, key.strip()) is not None:
        error = f"Die Zielvereinbarung „{key}“ gibt es schon."
    if error:
        return ctx.render("agreement_new.html", status_code=422, error=error, values=values)
    agreement = store.create(ctx.db, key=key.strip(), title=title.strip(), jobcenter_id=jobcenter_id.strip(),
                             year=int(year), document=document.replace("\r\n", "\n"),
                             created_by=ctx.user.username)
    ctx.audit("agreement.create", object_type="agreement", object_id=agreement.key,
              after=_summary(agreement.versions[-1]))
    return RedirectResponse(f"/zielvereinbarung/{agreement.key}", status_code=303)


#: the field a quick edit changes, per target form (``zielwerk.targets`` model)
def editable_fields(target: Any) -> list[tuple[str, str]]:
    """(field, German label) of a target's agreed figures."""
    if target.form == "korridor":
        return [("lower", "Untergrenze"), ("upper", "Obergrenze")]
    for name, label in (("value", "Zielwert"), ("change_pct", "Veränderung in %"),
                        ("change_points", "Veränderung in Prozentpunkten")):
        if getattr(target, name) is not None:
            return [(name, label)]
    return []


def _german_float(text: str) -> float:
    cleaned = text.strip().replace(" ", "").replace("−", "-")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    return float(cleaned)


def change_target(ctx: PageCtx, key: str, target_id: str = Form(""), reason: str = Form(""),
                        value: str = Form(""), change_pct: str = Form(""), change_points: str = Form(""),
                        lower: str = Form(""), upper: str = Form("")) -> Response:
    """Change one target's figures: a new version through ``AgreementRecord.edit`` (targets rules)."""
    from dataclasses import replace
    from datetime import date

    from zielwerk.targets import AgreementError, AgreementRecord, dumps_agreement, parse_agreement

    ctx.require("agreement.edit")
    agreement = _get(ctx, key)
    before = agreement.versions[-1]
    model = parse_agreement(before.document)
    found = [(g, t) for g, t in model.targets() if t.id == target_id]
    if not found:
        raise HTTPException(404, f"Den Zielwert „{target_id}“ gibt es in dieser Fassung nicht.")
    goal, target = found[0]
    sent = {"value": value, "change_pct": change_pct, "change_points": change_points, "lower": lower,
            "upper": upper}
    error, changes = "", {}
    for name, label in editable_fields(target):
        try:
            changes[name] = _german_float(sent[name])
        except ValueError:
            error = f"{label}: bitte eine Zahl angeben (z. B. 26,5)."
    if not error:  # non-finite and implausible figures are refused, as in the file format (issue 12)
        from zielwerk.targets.fileformat import indicator_kind
        from zielwerk.targets.model import FIELD_KEYS, number_problem

        kind = indicator_kind(target.indicator)
        error = next((m for n, v in changes.items() if (m := number_problem(FIELD_KEYS[n], v, kind))), "")
    if not error and not reason.strip():
        error = "Bitte begründen Sie die Änderung."
    if not error and all(getattr(target, k) == v for k, v in changes.items()):
        error = "Der Zielwert ist unverändert; es wurde keine neue Fassung angelegt."
    if error:
        return view(ctx, key, None, error=error)
    new_goal = replace(goal, targets=tuple(replace(t, **changes) if t.id == target_id else t for t in goal.targets))
    goals = tuple(new_goal if g.id == goal.id else g for g in model.goals)
    try:
        new_model = AgreementRecord([model]).edit(ctx.user.username, date.today(), reason.strip(), goals=goals)
    except AgreementError as exc:
        return view(ctx, key, None, error=str(exc))
    new = store.add_version(ctx.db, agreement, dumps_agreement(new_model), reason=reason,
                            created_by=ctx.user.username)
    ctx.audit("agreement.version", object_type="agreement", object_id=f"{key}#{new.number}",
              before={**_summary(before), "zielwert": target_id, **{k: getattr(target, k) for k in changes}},
              after={**_summary(new), "zielwert": target_id, **changes})
    return RedirectResponse(f"/zielvereinbarung/{key}", status_code=303)

"""Zielvereinbarung: view, create, edit as a new version with a reason, sign, compare versions,
goal links as a graph. Every change is audited with before/after."""

from __future__ import annotations

import tomllib
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from starlette.datastructures import FormData

from zielwerk.store import agreements as store
from zielwerk.store.models import Agreement, AgreementVersion
from zielwerk.targets.model import PARTIES

from .. import agreement_form as af
from .. import signatures
from ..agreement_doc import DocumentError, compare, graph_svg, parse
from ..context import Ctx, PageCtx


async def posted_form(request: Request) -> FormData:
    """The whole posted form (the editor's fields are numbered rows, not fixed parameters)."""
    return await request.form()


Posted = Annotated[FormData, Depends(posted_form)]
#: largest TOML file accepted for import
MAX_TOML_BYTES = 1 << 20


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


def target_text(t: dict[str, Any], model_targets: dict[str, Any] | None = None) -> str:
    """German description of a target's form and figures with units, e.g. 'absoluter Zielwert 25,0 %'."""
    from zielwerk.targets.diff import target_summary
    from zielwerk.targets.model import FORMS

    from ..formats import number

    if model_targets and t.get("id") in model_targets:
        return target_summary(model_targets[t["id"]])
    parts = [FORMS.get(str(t.get("form")), str(t.get("form", ""))), _SEX.get(str(t.get("sex", "all")), "")]
    figures = [f"{label} {number(t[k])}" for k, label in _FIELD_LABELS.items() if t.get(k) is not None]
    return ", ".join(p for p in parts if p) + (": " + "; ".join(figures) if figures else "")


def target_name(t: dict[str, Any]) -> str:
    """'K2 Frauen': the indicator and the group of persons (the target's id is internal)."""
    sex = {"f": "Frauen", "m": "Männer"}.get(str(t.get("sex", "all")), "")
    return " ".join(p for p in (str(t.get("indicator") or t.get("kennzahl") or t.get("id", "")), sex) if p)


def _summary(v: AgreementVersion) -> dict:
    return {"fassung": v.number, "begruendung": v.reason, "dokument": v.document}


def index(ctx: PageCtx) -> Response:
    ctx.require("agreement.view")
    return ctx.render("agreements.html", agreements=store.all_agreements(ctx.db))


def view(ctx: PageCtx, key: str, fassung: int | None = None, error: str = "", format: str = "") -> Response:
    ctx.require("agreement.view")
    agreement = _get(ctx, key)
    version = _version(agreement, fassung)
    if format == "toml":  # the export format: the file of this version
        return download_toml(ctx, key, version.number)
    try:
        doc = parse(version.document)
    except DocumentError as exc:
        doc, error = None, str(exc)
    quick: dict[str, list[tuple[str, str, Any]]] = {}
    if doc is not None and doc.model is not None and ctx.can("agreement.edit") and version is agreement.versions[-1]:
        for _, t in doc.model.targets():
            quick[t.id] = [(f, label, getattr(t, f)) for f, label in editable_fields(t)]
    sigs = signatures.signatures(version, doc.model if doc is not None else None)
    model = doc.model if doc is not None else None
    from zielwerk.targets.diff import carriers_text

    model_targets = {t.id: t for _, t in model.targets()} if model is not None else {}
    carriers = {g.id: carriers_text(g.owners) for g in model.goals} if model is not None else {}
    titles = {g.id: g.title for g in doc.goals} if doc is not None else {}
    local_goals = {g.id for g in model.goals if g.legal_goal is None} if model is not None else set()
    latest = version is agreement.versions[-1]
    return ctx.render("agreement.html", status_code=422 if error and doc is not None else 200, agreement=agreement,
                      version=version, doc=doc, error=error, graph=Markup(graph_svg(doc)) if doc else "",
                      quick=quick, target_text=lambda t: target_text(t, model_targets), target_name=target_name,
                      carriers=carriers, titles=titles, local_goals=local_goals, signatures=sigs,
                      complete=signatures.complete(sigs), parties=PARTIES,
                      sign_parties=signatures.open_parties(ctx.role, sigs, ctx.user.username, version)
                      if latest and ctx.can("agreement.sign") else [])


def _render_form(ctx: PageCtx, mode: str, st: af.FormState, status: int = 200, agreement: Agreement | None = None,
                 key: str = "", reason: str = "", error: str = "") -> Response:
    goal_options = [(g["id"], g["titel"] or g["id"]) for g in st.goals if g["id"].strip()]
    return ctx.render("agreement_form.html", status_code=status, mode=mode, st=st, agreement=agreement, key=key,
                      reason=reason, error=error, choices=af.CHOICES, indicators=af.indicator_choices(),
                      goal_options=goal_options, unit_of=af.number_hint, number_keys=af.NUMBER_KEYS)


def edit_form(ctx: PageCtx, key: str) -> Response:
    ctx.require("agreement.edit")
    agreement = _get(ctx, key)
    return _render_form(ctx, "edit", af.state_from_document(agreement.versions[-1].document), agreement=agreement)


def _uploaded(form: FormData) -> tuple[str | None, str]:
    """(document text, error) of an import: the ``document`` field or the uploaded file ``datei``;
    (None, "") when neither was sent (the form editor)."""
    upload = form.get("datei")
    if upload is not None and not isinstance(upload, str) and getattr(upload, "filename", ""):
        data = upload.file.read(MAX_TOML_BYTES + 1)
        if len(data) > MAX_TOML_BYTES:
            return "", "Die Datei ist zu groß (höchstens 1 MB)."
        try:
            return data.decode("utf-8-sig"), ""
        except UnicodeDecodeError:
            return "", "Die Datei ist nicht UTF-8-kodiert."
    if "document" in form:
        doc = form.get("document")
        return (doc if isinstance(doc, str) else ""), ""
    return None, ""


def _text(form: FormData, name: str) -> str:
    v = form.get(name, "")
    return v if isinstance(v, str) else ""


def edit(ctx: PageCtx, key: str, form: Posted) -> Response:
    """A new version: from the form editor, or from an imported TOML document (``document`` / ``datei``)."""
    ctx.require("agreement.edit")
    agreement = _get(ctx, key)
    before = agreement.versions[-1]
    reason = _text(form, "reason")
    document, error = _uploaded(form)
    if document is not None:
        return _import_version(ctx, agreement, document, reason, error)
    st, action = af.state_from_post(form)
    if action != "speichern":  # a row added: new goals get their id now, so links can name them
        af.assign_ids(st)
        return _render_form(ctx, "edit", st, agreement=agreement, reason=reason)
    base = tomllib.loads(before.document)
    built = af.build(st, base)
    if not reason.strip():
        st.errors["reason"] = "Begründung der Änderung: bitte angeben (sie steht in der Versionsgeschichte)."
    text = af.validate(st, built)
    if text is None or st.errors:
        return _render_form(ctx, "edit", st, 422, agreement=agreement, reason=reason)
    from zielwerk.targets import parse_agreement
    from zielwerk.targets.diff import readable_diff

    old_model = signatures.parse_model(before.document)
    new_model = parse_agreement(text)
    changes = readable_diff(old_model, new_model) if old_model is not None else []
    if not changes and built.raw == base:
        return _render_form(ctx, "edit", st, 422, agreement=agreement, reason=reason,
                            error="Es wurde nichts geändert; es wurde keine neue Fassung angelegt.")
    signed = old_model is None or old_model.status != "entwurf" or bool(signatures.state_of(before))
    raw = af.new_version_tables(built.raw, old_model, new_model, signed, ctx.user.full_name or ctx.user.username,
                                date.today(), reason, changes)
    document = af.to_toml(raw, _comment(new_model))
    new = store.add_version(ctx.db, agreement, document, reason=reason, created_by=ctx.user.username)
    ctx.audit("agreement.version", object_type="agreement", object_id=f"{key}#{new.number}",
              before=_summary(before), after={**_summary(new), "aenderungen": changes})
    return RedirectResponse(f"/zielvereinbarung/{key}/vergleich", status_code=303)


def _comment(model: Any) -> str:
    return f"Zielvereinbarung {model.year} nach § 48b SGB II – {model.jobcenter_name}"


def _import_version(ctx: PageCtx, agreement: Agreement, document: str, reason: str, error: str) -> Response:
    """A new version from a TOML document as it is (the import format)."""
    before = agreement.versions[-1]
    if not error and not reason.strip():
        error = "Bitte begründen Sie die Änderung."
    elif not error and document.strip() == before.document.strip():
        error = "Das Dokument ist unverändert; es wurde keine neue Fassung angelegt."
    elif not error:
        try:
            parse(document)
        except DocumentError as exc:
            error = str(exc)
    if error:
        return ctx.render("agreement_edit.html", status_code=422, agreement=agreement, document=document,
                          reason=reason, error=error)
    new = store.add_version(ctx.db, agreement, document.replace("\r\n", "\n"), reason=reason,
                            created_by=ctx.user.username)
    ctx.audit("agreement.version", object_type="agreement", object_id=f"{agreement.key}#{new.number}",
              before=_summary(before), after=_summary(new))
    return RedirectResponse(f"/zielvereinbarung/{agreement.key}", status_code=303)


def download_toml(ctx: Ctx, key: str, fassung: int | None = None) -> Response:
    """The version as the TOML file, with the one signature state (file and web signatures,
    ``signatures.merged_file``): importing it again keeps who signed."""
    ctx.require("agreement.view")
    agreement = _get(ctx, key)
    version = _version(agreement, fassung)
    text = signatures.merged_document(version)
    return Response(text, media_type="application/toml; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="zielvereinbarung-{key}-fassung-{version.number}.toml"'})


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
    return _render_form(ctx, "new", af.with_blank_rows(af.FormState(parties=dict.fromkeys(PARTIES, ""))))


def _key_problem(key: str) -> str:
    if not key.strip() or not key.replace("-", "").replace("_", "").isalnum():
        return "Kennung: nur Buchstaben, Ziffern, „-“ und „_“."
    return ""


def create(ctx: PageCtx, form: Posted) -> Response:
    """A new agreement: from the form editor, or from an imported TOML document (``document`` / ``datei``)."""
    ctx.require("agreement.edit")
    key = _text(form, "key").strip()
    document, error = _uploaded(form)
    if document is not None:
        return _import_new(ctx, form, key, document, error)
    st, action = af.state_from_post(form)
    if action != "speichern":  # a row added: new goals get their id now, so links can name them
        af.assign_ids(st)
        return _render_form(ctx, "new", st, key=key)
    built = af.build(st, {"status": "entwurf", "version": 1})
    if msg := _key_problem(key):
        st.errors["key"] = msg
    elif store.get(ctx.db, key) is not None:
        st.errors["key"] = f"Kennung: die Zielvereinbarung „{key}“ gibt es schon."
    if not st.meta.get("titel", "").strip():
        st.errors["titel"] = "Titel: bitte angeben."
    text = af.validate(st, built)
    if text is None or st.errors:
        return _render_form(ctx, "new", st, 422, key=key)
    from zielwerk.targets import parse_agreement

    model = parse_agreement(text)
    document = af.to_toml(built.raw, _comment(model))
    agreement = store.create(ctx.db, key=key, title=model.title, jobcenter_id=model.jobcenter_id, year=model.year,
                             document=document, created_by=ctx.user.username)
    ctx.audit("agreement.create", object_type="agreement", object_id=agreement.key,
              after=_summary(agreement.versions[-1]))
    return RedirectResponse(f"/zielvereinbarung/{agreement.key}", status_code=303)


def _import_new(ctx: PageCtx, form: FormData, key: str, document: str, error: str) -> Response:
    """A new agreement from a TOML document; title, Jobcenter and year default to the document's."""
    title, jobcenter_id, year = _text(form, "title").strip(), _text(form, "jobcenter_id").strip(), _text(form, "year")
    model = None
    if not error:
        error = _key_problem(key)
    if not error:
        try:
            model = parse(document).model
        except DocumentError as exc:
            error = str(exc)
    if not error and model is not None:
        title = title or model.title or f"Zielvereinbarung {model.year}"
        jobcenter_id = jobcenter_id or model.jobcenter_id
        year = year or str(model.year)
    if not error and (not title or not jobcenter_id):
        error = "Titel und Jobcenter sind Pflichtangaben."
    elif not error and (not year.isdigit() or not 2005 <= int(year) <= 2100):
        error = "Jahr: bitte eine vierstellige Jahreszahl angeben."
    if not error and store.get(ctx.db, key) is not None:
        error = f"Die Zielvereinbarung „{key}“ gibt es schon."
    if error:
        st = af.with_blank_rows(af.FormState(parties=dict.fromkeys(PARTIES, "")))
        return _render_form(ctx, "new", st, 422, key=key, error=error)
    agreement = store.create(ctx.db, key=key, title=title, jobcenter_id=jobcenter_id, year=int(year),
                             document=document.replace("\r\n", "\n"), created_by=ctx.user.username)
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
    from zielwerk.targets.diff import readable_diff

    # the history entry in the readable words of "Fassungen vergleichen"
    last = new_model.history[-1]
    entry = replace(last, change="; ".join(readable_diff(model, new_model)) or last.change)
    new_model = replace(new_model, history=(*new_model.history[:-1], entry))
    new = store.add_version(ctx.db, agreement, dumps_agreement(new_model), reason=reason,
                            created_by=ctx.user.username)
    ctx.audit("agreement.version", object_type="agreement", object_id=f"{key}#{new.number}",
              before={**_summary(before), "zielwert": target_id, **{k: getattr(target, k) for k in changes}},
              after={**_summary(new), "zielwert": target_id, **changes})
    return RedirectResponse(f"/zielvereinbarung/{key}", status_code=303)

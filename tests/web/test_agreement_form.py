"""The agreement editor as a form (issue 13 item 4): edit and create through the form, German messages
per field, data the form does not show survives, the readable diff, TOML download and upload."""

from __future__ import annotations

import re
import tomllib
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from web_helpers import AGREEMENT_TOML, build_app, csrf_of, login

from zielwerk.targets import fileformat

KEY = "testkreis-2016"


@pytest.fixture
def app(tmp_path):
    app = build_app(tmp_path)
    yield app
    app.state.engine.dispose()


def _client(app, user):
    c = TestClient(app, base_url="https://testserver")
    assert login(c, user).status_code == 303
    return c


class _Fields(HTMLParser):
    """What a browser would send for the first form posting to ``action`` (no submit button)."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.done = action, False, False
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._area: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and a.get("action") == self.action and "enctype" not in a:
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("checkbox", "file"):
            self.fields[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = a["name"]
            self.fields.setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value") or ""
        elif tag == "textarea":
            self._area = a["name"]
            self.fields[self._area] = ""

    def handle_data(self, data):
        if self._area:
            self.fields[self._area] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside, self.done = False, True
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._area = None


def form_of(html: str, action: str) -> dict[str, str]:
    p = _Fields(action)
    p.feed(html)
    assert p.fields, f"no form posting to {action}"
    return p.fields


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#34;", '"').replace("&#39;", "'")


EDIT = f"/zielvereinbarung/{KEY}/bearbeiten"


def _document(app, number=None) -> str:
    from zielwerk.store import agreements as store

    with app.state.sessions() as s:
        a = store.get(s, KEY)
        return (a.versions[-1] if number is None else a.versions[number - 1]).document


def test_form_shows_the_document_and_a_changed_target_gives_a_readable_diff(app):
    c = _client(app, "controlling")
    html = c.get(EDIT).text
    fields = form_of(html, EDIT)
    assert fields["g0-t0-wert"] == "25" and fields["g0-traeger"] == "gemeinsam" and fields["g1-traeger"] == "kreis"
    assert fields["g1-t0-veraenderung_prozent"] == "-2" and fields["l0-von"] == "integration"
    fields.update({"g0-t0-wert": "26,5", "reason": "Halbjahresgespräch", "aktion": "speichern"})
    r = c.post(EDIT, data=fields, follow_redirects=False)
    assert r.status_code == 303, _text(r.text)
    assert r.headers["location"] == f"/zielvereinbarung/{KEY}/vergleich"
    page = _text(c.get(r.headers["location"]).text)
    assert "Zielwert K2: 25,0 % → 26,5 %" in page
    doc = tomllib.loads(_document(app))
    assert doc["ziele"][0]["zielwerte"][0]["wert"] == 26.5
    # the draft stays version 1 of the file (model rule: a draft is changed in place), with a history entry
    assert doc["version"] == 1 and doc["versionen"][-1]["aenderung"] == "Zielwert K2: 25,0 % → 26,5 %"
    assert doc["versionen"][-1]["grund"] == "Halbjahresgespräch"


def test_german_messages_per_field(app):
    c = _client(app, "controlling")
    fields = form_of(c.get(EDIT).text, EDIT)
    fields.update({"g0-t0-wert": "abc", "g1-t0-veraenderung_prozent": "", "reason": "x", "aktion": "speichern"})
    r = c.post(EDIT, data=fields)
    assert r.status_code == 422
    assert re.search(r'id="f-g0-t0-wert"[^>]*aria-invalid="true" aria-describedby="err-g0-t0-wert"', r.text)
    assert "Zielwert: bitte eine Zahl angeben" in _text(r.text)
    # the value 150 for a quota: the model's range check, on the field, with its German label
    fields["g0-t0-wert"] = "150"
    r = c.post(EDIT, data=fields)
    assert r.status_code == 422
    err = re.search(r'id="err-g0-t0-wert">([^<]*)<', r.text).group(1)
    assert err == "Zielwert muss bei einer Quote zwischen 0 und 100 liegen, nicht 150"
    # a change form without its figure: a problem of the target row, in German labels
    row = re.search(r'<legend>Zielwert 1: K3</legend>\s*<p class="field-error" role="alert">([^<]*)<', r.text)
    assert row and "braucht genau eine Angabe „Veränderung in %“ oder „Veränderung in Pp.“" in row.group(1)
    assert "'" not in row.group(1)
    # nothing was saved
    assert _document(app) == AGREEMENT_TOML


def test_sections_the_form_does_not_show_survive_an_edit(app, monkeypatch):
    # sections other parts of Zielwerk add to the format (Arbeitskreis, teams, series) and one key the
    # file format does not know yet (a future addition, allowed here by patching the format's key set)
    monkeypatch.setattr(fileformat, "_GOAL", fileformat._GOAL | {"zukunft"})
    extra = (AGREEMENT_TOML.replace("wert = 25.0\n", "wert = 25.0\nvorjahresziel = 24.0\nvorjahresergebnis = 24.5\n")
             .replace('gesetzliches_ziel = "langzeitbezug"\n', 'gesetzliches_ziel = "langzeitbezug"\nzukunft = 7\n')
             .replace("version = 1\n", 'version = 1\nreihe = "amtlich"\n')
             + '\n[arbeitskreis]\nkennzahlen = ["K2"]\n\n[[arbeitskreis.teilnehmer]]\ngemeinde = "05970040"\n'
             'gemeinde_name = "Siegen"\nname = "Frau A"\nfunktion = "Sozialamt"\n'
             '\n[teams]\nzielwerte = ["k2"]\naufteilung = "fallbestand"\n')
    c = _client(app, "controlling")
    token = csrf_of(c)
    r = c.post(EDIT, data={"document": extra, "reason": "Arbeitskreis", "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303, _text(r.text)
    before = tomllib.loads(_document(app))
    fields = form_of(c.get(EDIT).text, EDIT)
    fields.update({"g1-titel": "Langzeitbezug vermeiden und abbauen", "reason": "Titel", "aktion": "speichern"})
    r = c.post(EDIT, data=fields, follow_redirects=False)
    assert r.status_code == 303, _text(r.text)
    doc = tomllib.loads(_document(app))
    assert doc["arbeitskreis"] == before["arbeitskreis"] and doc["arbeitskreis"]["teilnehmer"][0]["name"] == "Frau A"
    assert doc["teams"] == {"zielwerte": ["k2"], "aufteilung": "fallbestand"} and doc["reihe"] == "amtlich"
    assert doc["ziele"][1]["zukunft"] == 7
    t = doc["ziele"][0]["zielwerte"][0]
    assert (t["vorjahresziel"], t["vorjahresergebnis"]) == (24.0, 24.5)
    assert doc["ziele"][1]["titel"] == "Langzeitbezug vermeiden und abbauen"
    assert doc["verknuepfungen"][0]["begruendung"] == "Wer in Arbeit kommt, verlässt den Langzeitbezug."
    # everything but the title and the history is what it was
    strip = lambda d: {k: v for k, v in d.items() if k not in ("ziele", "versionen")}
    assert strip(doc) == strip(before)
    page = _text(c.get(f"/zielvereinbarung/{KEY}/vergleich").text)
    assert "Ziel „Langzeitbezug vermeiden“ umbenannt in „Langzeitbezug vermeiden und abbauen“" in page


def test_a_signed_version_becomes_a_new_draft_version_without_dated_signatures(app):
    c = _client(app, "controlling")
    signed = AGREEMENT_TOML.replace('status = "entwurf"', 'status = "unterzeichnet"') + "".join(
        f'\n[[unterzeichner]]\nname = "N{p}"\nfunktion = "F"\npartei = "{p}"\ndatum = 2016-03-14\n'
        for p in ("kreis", "agentur", "jobcenter"))
    assert c.post(EDIT, data={"document": signed, "reason": "unterzeichnet", "csrf_token": csrf_of(c)},
                  follow_redirects=False).status_code == 303
    fields = form_of(c.get(EDIT).text, EDIT)
    fields.update({"g1-traeger": "gemeinsam", "reason": "gemeinsam", "aktion": "speichern"})
    assert c.post(EDIT, data=fields, follow_redirects=False).status_code == 303
    doc = tomllib.loads(_document(app))
    assert doc["status"] == "entwurf" and doc["version"] == 2
    assert all("datum" not in s for s in doc["unterzeichner"]) and len(doc["unterzeichner"]) == 3
    assert doc["ziele"][1]["traeger"] == ["kreis", "agentur"]
    assert doc["versionen"][-1]["aenderung"] == ("Träger von „Langzeitbezug vermeiden“: Kreis → "
                                                 "gemeinsam (Kreis und Agentur für Arbeit)")
    page = _text(c.get(f"/zielvereinbarung/{KEY}").text)
    assert "noch nicht von allen Parteien unterzeichnet" in page


def test_create_through_the_form_with_every_target_form_and_a_local_goal(app):
    c = _client(app, "controlling")
    fields = form_of(c.get("/zielvereinbarung/neu").text, "/zielvereinbarung/neu")
    assert fields["anzahl_ziele"] == "1" and fields["g0-anzahl_zielwerte"] == "1"
    fields.update({"key": "testkreis-2017", "titel": "Zielvereinbarung 2017", "jahr": "2017", "jobcenter_id": "JC1",
                   "jobcenter_name": "Jobcenter Testkreis", "partei_kreis": "Kreis Test",
                   "partei_agentur": "Agentur Test", "partei_jobcenter": "GF Test",
                   "g0-titel": "Integration verbessern", "g0-traeger": "agentur",
                   "g0-gesetzliches_ziel": "integration", "g0-t0-kennzahl": "K2", "g0-t0-geschlecht": "f",
                   "g0-t0-form": "veraenderung_vorjahresmonat", "g0-t0-veraenderung_prozent": "3,0"})
    # add a target row: the form comes back with one more row, nothing saved
    r = c.post("/zielvereinbarung/neu", data={**fields, "aktion": "zielwert-0"})
    assert r.status_code == 200
    fields = form_of(r.text, "/zielvereinbarung/neu")
    assert fields["g0-anzahl_zielwerte"] == "2" and fields["g0-t0-veraenderung_prozent"] == "3,0"
    fields.update({"g0-t1-kennzahl": "K2", "g0-t1-geschlecht": "m", "g0-t1-form": "korridor",
                   "g0-t1-untergrenze": "20", "g0-t1-obergrenze": "24,5"})
    r = c.post("/zielvereinbarung/neu", data={**fields, "aktion": "ziel"})
    fields = form_of(r.text, "/zielvereinbarung/neu")
    fields.update({"g1-titel": "Eltern im 2. Jahr erreichen", "g1-traeger": "kreis", "g1-gesetzliches_ziel": "",
                   "g1-t0-kennzahl": "K3E3", "g1-t0-form": "absolut", "g1-t0-wert": "1,9",
                   "g1-t0-toleranz": "0,1"})
    r = c.post("/zielvereinbarung/neu", data={**fields, "aktion": "verknuepfung"})
    fields = form_of(r.text, "/zielvereinbarung/neu")
    # the new goals got their ids on the round trip: the link's choices offer them
    assert '<option value="eltern-im-2-jahr-erreichen">Eltern im 2. Jahr erreichen</option>' in r.text
    assert fields["g0-id"] == "integration-verbessern"
    fields.update({"l0-von": "eltern-im-2-jahr-erreichen", "l0-nach": "integration-verbessern",
                   "l0-begruendung": "Betreuung ermöglicht Arbeit", "aktion": "speichern"})
    r = c.post("/zielvereinbarung/neu", data=fields, follow_redirects=False)
    assert r.status_code == 303, _text(r.text)
    from zielwerk.store import agreements as store
    from zielwerk.targets import parse_agreement

    with app.state.sessions() as s:
        a = store.get(s, "testkreis-2017")
        assert (a.title, a.jobcenter_id, a.year) == ("Zielvereinbarung 2017", "JC1", 2017)
        model = parse_agreement(a.versions[-1].document)
    g0, g1 = model.goals
    assert (g0.id, g0.owners, g0.legal_goal) == ("integration-verbessern", ("agentur",), "integration")
    assert [(t.id, t.sex, t.form, t.change_pct, t.lower, t.upper) for t in g0.targets] == [
        ("k2-frauen", "f", "veraenderung_vorjahresmonat", 3.0, None, None),
        ("k2-maenner", "m", "korridor", None, 20.0, 24.5)]
    assert (g1.owners, g1.legal_goal, g1.targets[0].value, g1.targets[0].tolerance) == (("kreis",), None, 1.9, 0.1)
    assert [(lk.source, lk.target) for lk in model.links] == [("eltern-im-2-jahr-erreichen",
                                                               "integration-verbessern")]
    page = _text(c.get("/zielvereinbarung/testkreis-2017").text)
    assert "K2 Frauen" in page and "(lokales Ziel)" in page and "Kreis" in page
    assert "„Eltern im 2. Jahr erreichen“ unterstützt „Integration verbessern“" in page


def test_create_form_refuses_with_messages_per_field(app):
    c = _client(app, "controlling")
    fields = form_of(c.get("/zielvereinbarung/neu").text, "/zielvereinbarung/neu")
    fields.update({"key": KEY, "jahr": "20x", "aktion": "speichern"})
    r = c.post("/zielvereinbarung/neu", data=fields)
    assert r.status_code == 422
    text = _text(r.text)
    assert "Kennung: die Zielvereinbarung „testkreis-2016“ gibt es schon." in text
    assert "Jahr: bitte eine vierstellige Jahreszahl angeben" in text and "Titel: bitte angeben." in text


def test_toml_download_has_the_one_signature_state_and_upload_imports_it(app):
    from web_helpers import USERS  # noqa: F401  (users of the fixture: gf, traeger)

    gf = _client(app, "gf")
    token = csrf_of(gf)
    r = gf.get(f"/zielvereinbarung/{KEY}?format=toml")
    assert r.status_code == 200 and r.text == AGREEMENT_TOML
    assert 'filename="zielvereinbarung-testkreis-2016-fassung-1.toml"' in r.headers["content-disposition"]
    assert gf.post(f"/zielvereinbarung/{KEY}/unterzeichnen", data={"fassung": "1", "partei": "jobcenter",
                                                                   "bestaetigt": "ja", "csrf_token": token},
                   follow_redirects=False).status_code == 303
    text = gf.get(f"/zielvereinbarung/{KEY}?format=toml&fassung=1").text
    doc = tomllib.loads(text)
    assert doc["status"] == "entwurf"  # one of three parties
    assert [(s["partei"], "datum" in s) for s in doc["unterzeichner"]] == [("jobcenter", True)]
    assert doc["ziele"] == tomllib.loads(AGREEMENT_TOML)["ziele"]
    # upload a file as a new version (multipart), the import format
    changed = AGREEMENT_TOML.replace("wert = 25.0", "wert = 27.0").encode()
    r = gf.post(EDIT, data={"reason": "Datei", "csrf_token": token},
                files={"datei": ("ziele.toml", changed, "application/toml")}, follow_redirects=False)
    assert r.status_code == 303
    assert "Zielwert K2: 25,0 % → 27,0 %" in _text(gf.get(f"/zielvereinbarung/{KEY}/vergleich").text)


def test_quick_change_of_one_target_writes_the_readable_change_into_the_history(app):
    c = _client(app, "controlling")
    r = c.post(f"/zielvereinbarung/{KEY}/zielwert", data={"target_id": "k3", "change_pct": "-2,5", "reason": "x",
                                                          "csrf_token": csrf_of(c)}, follow_redirects=False)
    assert r.status_code == 303
    doc = tomllib.loads(_document(app))
    assert doc["versionen"][-1]["aenderung"] == "Zielwert K3: −2,0 % → −2,5 %"


def test_the_example_agreement_round_trips_through_the_form_unchanged():
    """Every goal, target, link and section of the Siegen-Wittgenstein example: shown in the form and built
    back without a change (what a save without edits would write)."""
    from pathlib import Path

    from zielwerk.web import agreement_form as af

    text = (Path(__file__).resolve().parents[2] / "examples" / "siegen-wittgenstein-2016" / "ziele.toml").read_text()
    base = tomllib.loads(text)
    st = af.state_from_document(text)
    built = af.build(st, base)
    assert not st.errors
    assert built.raw == base
    assert af.validate(st, built) is not None and not st.errors and not st.general
    assert tomllib.loads(af.to_toml(built.raw)) == base


def test_one_signature_state_for_web_page_report_and_file(app):
    """Signed in the web by all three parties: the agreement page, the report and the downloaded file say so,
    and the downloaded file imports as a signed agreement with the three dated signatories."""
    from datetime import date

    from web_helpers import _password_hash

    from zielwerk.store.models import User
    from zielwerk.targets import parse_agreement

    with app.state.sessions.begin() as s:
        s.add(User(username="traeger2", full_name="Traeger Zwei", password_hash=_password_hash(), role="traeger"))
    for user, party in (("gf", "jobcenter"), ("traeger", "kreis"), ("traeger2", "agentur")):
        c = _client(app, user)
        assert c.post(f"/zielvereinbarung/{KEY}/unterzeichnen", data={
            "fassung": "1", "partei": party, "bestaetigt": "ja", "csrf_token": csrf_of(c)},
            follow_redirects=False).status_code == 303
    c = _client(app, "controlling")
    assert "Fassung 1 ist von allen Parteien unterzeichnet." in _text(c.get(f"/zielvereinbarung/{KEY}").text)
    today = date.today().strftime("%d.%m.%Y")
    report = _text(c.get("/berichte/2016-12?format=html").text)
    for name in ("Gf", "Traeger", "Traeger Zwei"):
        assert f"{name} Unterzeichnet im Web" in report
    assert report.count(f"unterzeichnet am {today}") == 3
    model = parse_agreement(c.get(f"/zielvereinbarung/{KEY}?format=toml").text)
    assert model.status == "unterzeichnet"
    assert sorted((s.party, s.name, s.signed_on) for s in model.signatories) == [
        ("agentur", "Traeger Zwei", date.today()), ("jobcenter", "Gf", date.today()), ("kreis", "Traeger", date.today())]

"""The reconciliation page /kennzahlen/abgleich (issue 14 item 4) on the web fixture: JC1's own K2/K3
(web_helpers.kennzahlen_rows) beside its hand-made official figures (web_helpers.official_rows)."""

from __future__ import annotations

import re


def _row(html: str, label: str, sex: str) -> str:
    m = re.search(rf"<tr><td>{label} – [^<]*</td><td>{sex}</td>(.*?)</tr>", html, re.DOTALL)
    assert m, (label, sex)
    return re.sub(r"<[^>]+>", "|", m.group(1))


def test_controlling_sees_the_newest_common_month_with_categories(clients):
    r = clients["controlling"].get("/kennzahlen/abgleich")
    assert r.status_code == 200
    html = r.text
    # official figures end 2016-09; own ones (2016-01..12) are provisional from 10/2016
    assert "<h2>09/2016</h2>" in html
    # K2 Insgesamt: own (2000 + 9)/10000 = 20.09 %, official 200/1000 = 20.0 %; difference 0.09 within the
    # rounding of the official figures 0.05 + 100·0.5/1000 + 100·200·0.5/1000² = 0.11 → Rundung
    k2 = _row(html, "K2", "Insgesamt")
    assert "20,1 %" in k2 and "20,0 %" in k2 and "0,09 Pp." in k2 and "Rundung" in k2
    # K3 Insgesamt: own (3991/4000 − 1)·100 = −0.225 %, official 600/610 → −1.6 %; stocks 4000 vs 610 differ
    k3 = _row(html, "K3", "Insgesamt")
    assert "-0,2 %" in k3 and "-1,6 %" in k3 and "1,38 Pp." in k3 and "Abgrenzung/Definition" in k3


def test_month_choice_and_link_from_the_kennzahlen_page(clients):
    html = clients["controlling"].get("/kennzahlen/abgleich?jobcenter=JC1&monat=2016-01").text
    assert "<h2>01/2016</h2>" in html
    assert "0,01 Pp." in _row(html, "K2", "Insgesamt")  # (2000 + 1)/10000 = 20.01 vs 20.0
    assert 'href="/kennzahlen/abgleich"' in clients["controlling"].get("/kennzahlen").text
    assert 'href="/kennzahlen/abgleich"' not in clients["kommune"].get("/kennzahlen").text


def test_refusals(clients):
    assert clients["kommune"].get("/kennzahlen/abgleich").status_code == 403
    assert clients["controlling"].get("/kennzahlen/abgleich?jobcenter=JC9").status_code == 403

"""Shared helpers for the targets tests: a small valid agreement text."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "siegen-wittgenstein-2016" / "ziele.toml"

SMALL = '''\
jahr = 2016
status = "entwurf"

[jobcenter]
id = "J1"
name = "Jobcenter Test"

[parteien]
kreis = "Kreis Test"
agentur = "Agentur Test"
jobcenter = "GF Jobcenter Test"

[[ziele]]
id = "lzb"
titel = "Weniger LZB"
traeger = ["kreis", "agentur"]
gesetzliches_ziel = "langzeitbezug"

  [[ziele.zielwerte]]
  id = "lzb-jd"
  kennzahl = "LZB_JD"
  form = "veraenderung_jahresdurchschnitt"
  veraenderung_prozent = -2.0

[[ziele]]
id = "integ"
titel = "Integration"
traeger = ["agentur"]

  [[ziele.zielwerte]]
  id = "k2"
  kennzahl = "K2"
  form = "absolut"
  wert = 25.0

  [[ziele.zielwerte]]
  id = "k2-korridor"
  kennzahl = "K2"
  geschlecht = "f"
  form = "korridor"
  untergrenze = 20.0
  obergrenze = 22.0

[[verknuepfungen]]
von = "integ"
nach = "lzb"
begruendung = "Integrationen senken den LZB-Bestand."
'''


@pytest.fixture
def small_text() -> str:
    return SMALL


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """1-based line number of the ``occurrence``-th line containing ``fragment`` (independent of the parser)."""
    seen = 0
    for no, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            seen += 1
            if seen == occurrence:
                return no
    raise AssertionError(f"{fragment!r} not in text")

"""Property: any valid agreement model survives write → parse unchanged (the web app edits the same model);
and the line locator is not fooled by multi-line strings and arrays."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from zielwerk.targets.fileformat import dumps_agreement, locate_lines, parse_agreement
from zielwerk.targets.model import Agreement, Goal, Link, Signatory, Target, VersionEntry

from .conftest import line_of

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from("\n\"'\\[]#="),
               min_size=1, max_size=30).filter(lambda s: s.strip() != "")
ident = st.from_regex(r"[a-z][a-z0-9\-]{0,8}", fullmatch=True)
# within the plausible ranges of every sampled code (quota 0..100, count 0..10 million, change -100..1000)
num = st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False)
change = st.floats(min_value=-100, max_value=1000, allow_nan=False, allow_infinity=False)


@st.composite
def targets(draw, tid):
    form = draw(st.sampled_from(["absolut", "korridor", "beobachtung", "veraenderung_vorjahresmonat"]))
    code = draw(st.sampled_from(["K2", "K3E2", "ELTERN_2J", "LZB_JD"]))
    kw = {}
    if form == "absolut":
        kw["value"] = draw(num)
    elif form == "korridor":
        lo = draw(st.floats(min_value=0, max_value=50))
        kw["lower"], kw["upper"] = lo, lo + draw(st.floats(min_value=0.1, max_value=50))
    elif form == "veraenderung_vorjahresmonat":
        kw["change_pct"] = draw(change)
        kw["baseline"] = draw(st.none() | num)
    sex = draw(st.sampled_from(["all", "f", "m"]))
    return Target(tid, code, form, sex, tolerance=draw(st.none() | st.floats(min_value=0.01, max_value=10)),
                  note=draw(st.just("") | text), **kw)


@st.composite
def agreements(draw):
    n = draw(st.integers(1, 3))
    goals = []
    for i in range(n):
        ts = tuple(draw(targets(f"t{i}-{j}")) for j in range(draw(st.integers(0, 2))))
        goals.append(Goal(f"g{i}", draw(text), tuple(draw(st.sampled_from([["kreis"], ["agentur"],
                                                                         ["kreis", "agentur"]]))),
                          draw(st.none() | st.sampled_from(["integration", "teilhabe"])), draw(st.just("") | text), ts))
    links = tuple(Link(f"g{i}", f"g{i + 1}", draw(text)) for i in range(n - 1))
    sigs = tuple(Signatory(draw(text), draw(text), p, date(2016, 3, 1)) for p in ("kreis", "agentur", "jobcenter"))
    hist = (VersionEntry(1, draw(text), date(2016, 2, 1), draw(text), draw(st.just("") | text)),)
    return Agreement(2016, draw(ident), draw(text), (("kreis", draw(text)), ("agentur", draw(text)),
                                                    ("jobcenter", draw(text))), tuple(goals), links, sigs,
                     draw(st.sampled_from(["entwurf", "unterzeichnet"])), draw(st.integers(1, 9)), hist,
                     draw(st.just("") | text), draw(st.just("") | text), draw(st.just("") | text))


@settings(max_examples=60, deadline=None)
@given(agreements())
def test_write_parse_round_trip(a):
    assert parse_agreement(dumps_agreement(a)) == a


def test_locator_skips_multiline_strings_and_arrays():
    doc = '''jahr = 2016
praeambel = """
[[ziele]]
kennzahl = "K9"
"""
[[ziele]]
id = "a"
traeger = [
  "kreis",
]
titel = "T"
'''
    where = locate_lines(doc)
    assert where[("ziele", 0)] == line_of(doc, "[[ziele]]", 2)
    assert where[("ziele", 0, "titel")] == line_of(doc, 'titel = "T"')
    assert ("ziele", 0, "kennzahl") not in where

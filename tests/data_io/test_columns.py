"""Parsing of single values, checked against values worked out by hand and the calendar."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pyarrow as pa
import pytest

from zielwerk.data.columns import parse_dates, parse_months, parse_numbers
from zielwerk.data.dialect import DATE_GERMAN, DATE_ISO


def _parse(values, style):
    arr = pa.chunked_array([pa.array(values, pa.string())])
    typed, bad = parse_dates(arr, style)
    return typed.to_pylist(), bad.to_pylist()


def test_iso_dates_strict():
    typed, bad = _parse(
        ["2016-02-29", "2015-02-29", "2016-04-31", "2016-1-01", None, "1899-12-31", "20160101"], DATE_ISO
    )
    assert typed[0] == date(2016, 2, 29)
    assert bad == [False, True, True, True, False, True, True]


def test_german_dates_with_and_without_leading_zeros():
    typed, bad = _parse(
        ["15.09.2016", "1.2.2016", "29.02.2015", "2016-09-15", "15.9.16", "32.01.2016"], DATE_GERMAN
    )
    assert typed[:2] == [date(2016, 9, 15), date(2016, 2, 1)]
    assert bad == [False, False, True, True, True, True]


def test_every_day_of_two_years_round_trips_in_both_styles():
    """Brute force over the calendar: every real day parses, every day 29-31 beyond a month's end fails."""
    days = [date(2015, 1, 1) + timedelta(d) for d in range(731)]
    typed, bad = _parse([d.isoformat() for d in days], DATE_ISO)
    assert typed == days and not any(bad)
    typed, bad = _parse([d.strftime("%d.%m.%Y") for d in days], DATE_GERMAN)
    assert typed == days and not any(bad)
    impossible = [
        f"{y}-{m:02d}-{d}"
        for y in (2015, 2016)
        for m in range(1, 13)
        for d in (29, 30, 31)
        if d > calendar.monthrange(y, m)[1]
    ]
    assert len(impossible) == 2 * 7 - 1  # Feb 29 exists in 2016 only; 30th/31st as counted by hand
    _, bad = _parse(impossible, DATE_ISO)
    assert all(bad)


def test_months():
    arr = pa.chunked_array([pa.array(["2016-01", "01.2016", "1.2016", "2016-13", "13.2016", "2016-1", None])])
    typed, bad = parse_months(arr)
    assert typed.to_pylist()[:3] == ["2016-01", "2016-01", "2016-01"]
    assert bad.to_pylist() == [False, False, False, True, True, True, False]


@pytest.mark.parametrize(
    ("decimal", "values", "expected", "bad"),
    [
        (
            ".",
            ["404", "404.5", "-1.25", ".5", "1,5", "1e3", "1.234,5"],
            [404.0, 404.5, -1.25, 0.5],
            [0, 0, 0, 0, 1, 1, 1],
        ),
        (
            ",",
            ["404", "404,50", "1.234,56", "1.234", "404.5", "1,2,3"],
            [404.0, 404.5, 1234.56, 1234.0],
            [0, 0, 0, 0, 1, 1],
        ),
    ],
)
def test_decimal_numbers(decimal, values, expected, bad):
    typed, mask = parse_numbers(pa.chunked_array([pa.array(values)]), "float", decimal)
    assert typed.to_pylist()[: len(expected)] == expected
    assert mask.to_pylist() == [bool(b) for b in bad]


def test_integers():
    typed, mask = parse_numbers(pa.chunked_array([pa.array(["12", "-3", "+4", "5.0", "x", None])]), "int")
    assert typed.to_pylist()[:3] == [12, -3, 4]
    assert mask.to_pylist() == [False, False, False, True, True, False]

"""Stichtag calendar (C1) and age arithmetic, checked against hand-worked dates."""

from datetime import date

import pytest

from zielwerk.domain.calendar import Month, flow_window, month_of_day, stichtag
from zielwerk.domain.law import FKV_2011, FKV_2019, age_in_months, age_in_years, regulation_for


def test_month_arithmetic_and_parse():
    assert Month.parse("2016-01") - 1 == Month(2015, 12)
    assert Month(2015, 12) + 1 == Month(2016, 1)
    assert Month(2016, 9) - Month(2015, 9) == 12
    assert str(Month(2016, 9)) == "2016-09"
    with pytest.raises(ValueError):
        Month.parse("2016-13")
    with pytest.raises(ValueError):
        Month.parse("16-1")


def test_stichtag_and_flow_window():
    assert stichtag(Month(2016, 2)) == date(2016, 2, 15)
    # a Stichtag day beyond the month's end falls on the last day (leap year)
    assert stichtag(Month(2016, 2), 31) == date(2016, 2, 29)
    assert stichtag(Month(2015, 2), 30) == date(2015, 2, 28)
    # (S_{t-1}, S_t] as inclusive dates
    assert flow_window(Month(2016, 1)) == (date(2015, 12, 16), date(2016, 1, 15))
    assert month_of_day(date(2016, 1, 15)) == Month(2016, 1)
    assert month_of_day(date(2016, 1, 16)) == Month(2016, 2)
    assert month_of_day(date(2015, 12, 16)) == Month(2016, 1)


def test_regulation_switch_2018_12_to_2019_01():
    assert regulation_for(Month(2018, 12)) is FKV_2011
    assert regulation_for(Month(2019, 1)) is FKV_2019
    assert FKV_2011.k2e3_lag_months == 12 and FKV_2019.k2e3_lag_months == 6
    with pytest.raises(ValueError):
        regulation_for(Month(2010, 12))


def test_ages():
    assert age_in_years(date(1991, 6, 30), date(2016, 6, 29)) == 24
    assert age_in_years(date(1991, 6, 30), date(2016, 6, 30)) == 25
    assert age_in_months(date(2015, 3, 15), date(2016, 3, 14)) == 11
    assert age_in_months(date(2015, 3, 15), date(2016, 3, 15)) == 12
    assert age_in_months(date(2015, 1, 31), date(2015, 2, 28)) == 1
    assert age_in_months(date(2015, 1, 31), date(2015, 2, 27)) == 0


def test_german_formats():
    from zielwerk.domain import german

    assert german.num(1234.56) == "1.234,6"
    assert german.num(-2.0, 1, sign=True) == "−2,0"
    assert german.num(-2.0, 1, minus="-") == "-2,0"
    assert german.num(2.04, 1, sign=True) == "+2,0"
    assert german.integer(1234567) == "1.234.567"
    assert german.pct(25.23) == "25,2 %"
    assert german.num(None) == german.num(float("nan")) == "–"
    assert german.day(date(2016, 9, 5)) == "05.09.2016"
    assert german.month_name(3, 2016) == "März 2016"

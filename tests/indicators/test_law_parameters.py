"""Every legal parameter lives in the dated ``Regulation``: change one and the engine still agrees
with the brute-force reference (which reads the same fields, but computes everything by plain loops).

The regulations are replaced for the duration of a test (``law.REGULATIONS``); the engine and the
reference both read them at call time. Nothing else may need to change — a number worked out by hand
elsewhere from the legal one (the engine's lookback, a window) would show up here as a difference.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zielwerk.domain import codes, law
from zielwerk.domain.calendar import Month
from zielwerk.indicators import compute_kennzahlen

from .randomdata import random_dataset
from .reference import Ref
from .test_bruteforce import _compare, _engine_dict

_subsets = st.frozensets(st.sampled_from(codes.INSTRUMENTS))
_kinds = st.frozensets(st.sampled_from(codes.EMPLOYMENT_KINDS), min_size=1)


@st.composite
def _version_changes(draw) -> dict:
    """Changes of the parameters that may differ between the versions."""
    return {
        "k2e3_lag_months": draw(st.integers(1, 18)),
        "k2e3_rule": draw(st.sampled_from(["at_lag", "each_month"])),
        "k2e3_base_months": draw(st.integers(1, 12)),
        "k2e3_base_kinds": draw(_kinds),
        "k2e3_check_kinds": draw(_kinds),
        "active_instruments": draw(_subsets),
        "publicly_funded_subsidies": draw(st.frozensets(st.sampled_from(codes.SUBSIDIES))),
    }


@st.composite
def _shared_changes(draw) -> dict:
    """Changes the engine supports only as one value per computation (the same in both versions)."""
    window = draw(st.integers(200, 800))
    return {"lzb_window_days": window, "lzb_min_days": draw(st.integers(window // 3, window)),
            "merge_gap_days": draw(st.integers(0, 20))}


def _with(changes_2011: dict, changes_2019: dict, shared: dict) -> tuple[law.Regulation, ...]:
    r11, r19 = law.REGULATIONS
    return (dataclasses.replace(r11, **changes_2011, **shared), dataclasses.replace(r19, **changes_2019, **shared))


def _check(regs: tuple[law.Regulation, ...], seed: int, first: Month, last: Month, **kw) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(law, "REGULATIONS", regs)
        ds = random_dataset(seed, **kw)
        problems = _compare(_engine_dict(compute_kennzahlen(ds, first, last, level="all")),
                            Ref(ds, first, last).compute())
    assert not problems, "\n".join(problems[:20])


def test_k2e3_lag_18_and_other_fixed_changes():
    """The case of issue 11: K2E3 lag 18 under FKV 2011 (the engine once kept a hand-made lookback of
    26 months), together with other lists, across the switch."""
    regs = _with({"k2e3_lag_months": 18, "active_instruments": frozenset({"placement_budget", "16h"})},
                 {"k2e3_lag_months": 9, "k2e3_rule": "at_lag", "k2e3_base_kinds": frozenset({"svb", "training"})},
                 {"lzb_window_days": 400, "lzb_min_days": 300, "merge_gap_days": 14})
    _check(regs, 3, Month(2018, 11), Month(2019, 2))


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_version_changes(), _version_changes(), _shared_changes(), st.integers(0, 10_000))
def test_perturbed_parameters_engine_equals_reference(v11, v19, shared, seed):
    _check(_with(v11, v19, shared), seed, Month(2018, 11), Month(2019, 2))


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_version_changes(), _version_changes(), _shared_changes(), st.integers(0, 10_000),
       st.sampled_from([(Month(2018, 10), Month(2019, 3)), (Month(2019, 4), Month(2019, 6)),
                        (Month(2017, 5), Month(2017, 7))]))
def test_perturbed_parameters_engine_equals_reference_more(v11, v19, shared, seed, months):
    _check(_with(v11, v19, shared), seed, *months)


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_version_changes(), _shared_changes(), st.integers(0, 10_000))
def test_perturbed_parameters_fkv_2011_only(v11, shared, seed):
    # data of 2012–2017: only the 2011 version is in force
    _check(_with(v11, {}, shared), seed, Month(2016, 1), Month(2016, 4), start=date(2012, 1, 1),
           end=date(2017, 6, 30))


def test_parameters_that_differ_between_versions_are_refused_where_unsupported():
    regs = _with({"lzb_min_days": 600}, {}, {})
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(law, "REGULATIONS", regs)
        ds = random_dataset(1)
        # also where only the history before the first reporting month is under the other version
        for first, last in ((Month(2018, 11), Month(2019, 2)), (Month(2020, 1), Month(2020, 1))):
            with pytest.raises(ValueError, match="lzb_min_days unterscheidet sich"):
                compute_kennzahlen(ds, first, last)

"""C10 (domain.md): groups of 1 or 2 persons are suppressed; 0 is shown; no count is no group."""

import math

import pytest

from zielwerk.domain.law import is_small_number


@pytest.mark.parametrize(("count", "small"), [
    (0, False), (1, True), (2, True), (2.0, True), (2.5, True), (3, False), (12, False),
    (None, False), (math.nan, False), ("*", False), ("2", False), (-1, False),
])
def test_is_small_number(count, small):
    assert is_small_number(count) is small

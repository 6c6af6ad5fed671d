"""Validation problems: ``table:line:column: message`` (docs/data.md).

Conventions for the position of a problem:

* ``line`` is the line in the CSV file (header = line 1) or the row number in a Parquet file
  (first row = 1). ``0`` means the problem concerns the whole file or a whole column rather than
  one line (missing file, missing Parquet column, wrong Parquet column type, dataset-level rules).
* ``column`` is the column name; ``-`` when the problem concerns a whole line or file
  (encoding error, wrong number of fields, missing file).

A collector counts every problem exactly but keeps at most ``per_check`` problems of one check
(one rule on one column of one table) as objects, so a broken national file with millions of bad
rows does not exhaust memory; the exact total is always known.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

FILE = 0  # line number for file-/column-level problems
NO_COLUMN = "-"  # column for line- or file-level problems


@dataclass(frozen=True, order=True)
class Problem:
    """One contract violation at ``table:line:column``."""

    table: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.table}:{self.line}:{self.column}: {self.message}"


@dataclass
class ProblemCollector:
    """Gathers problems; counts all, keeps at most ``per_check`` per :meth:`add_rows` call."""

    per_check: int = 1000
    problems: list[Problem] = field(default_factory=list)
    total: int = 0

    def add(self, table: str, line: int, column: str, message: str) -> None:
        self.problems.append(Problem(table, line, column, message))
        self.total += 1

    def add_rows(
        self,
        table: str,
        mask: pa.Array | pa.ChunkedArray,
        lines: LineMap,
        column: str,
        message: Callable[[int], str],
    ) -> int:
        """Add one problem per true row of ``mask``; ``message(i)`` renders row ``i`` (0-based).

        Returns the number of rows flagged. Null mask entries count as false.
        """
        mask = pc.fill_null(mask, False)
        n = pc.sum(mask).as_py() or 0
        if not n:
            return 0
        idx = pc.indices_nonzero(mask)
        for i in idx.slice(0, self.per_check).to_pylist():
            self.problems.append(Problem(table, lines.line(i), column, message(i)))
        self.total += n
        return n

    @property
    def ok(self) -> bool:
        return self.total == 0

    def sorted(self, order: Sequence[str] = ()) -> list[Problem]:
        """Problems sorted by table (in ``order``, then by name), line and column."""
        rank = {name: i for i, name in enumerate(order)}
        return sorted(self.problems, key=lambda p: (rank.get(p.table, len(rank)), p.table, p.line, p.column))


class BatchCollector(ProblemCollector):
    """Collects the problems of one table checked batch by batch (streamed Parquet).

    The cap of ``per_check`` kept problems applies to a check over the whole table, as if the table
    had been checked in one go: call :meth:`begin` before converting a column in each batch; the
    n-th :meth:`add_rows` call after it is the same check in every batch (the checks of a column run
    in a fixed order), so the first ``per_check`` rows of that check over all batches are kept.
    """

    def __init__(self, per_check: int = 1000) -> None:
        super().__init__(per_check=per_check)
        self._check: tuple[str, int] = ("", 0)
        self._kept: dict[tuple[str, int], int] = {}

    def begin(self, column: str) -> None:
        self._check = (column, 0)

    def add_rows(
        self,
        table: str,
        mask: pa.Array | pa.ChunkedArray,
        lines: LineMap,
        column: str,
        message: Callable[[int], str],
    ) -> int:
        key = self._check
        self._check = (key[0], key[1] + 1)
        mask = pc.fill_null(mask, False)
        n = pc.sum(mask).as_py() or 0
        if not n:
            return 0
        room = self.per_check - self._kept.get(key, 0)
        if room > 0:
            idx = pc.indices_nonzero(mask)
            for i in idx.slice(0, room).to_pylist():
                self.problems.append(Problem(table, lines.line(i), column, message(i)))
            self._kept[key] = self._kept.get(key, 0) + min(room, n)
        self.total += n
        return n

    def merge_into(self, other: ProblemCollector) -> None:
        other.problems.extend(self.problems)
        other.total += self.total


@dataclass(frozen=True)
class LineMap:
    """Maps a 0-based row index of a table to its line in the source file.

    Either ``base + i`` (no gaps: CSV read in one go, base 2; Parquet, base 1) or an explicit array
    of line numbers (CSV rows recovered line by line after a structural error).
    """

    base: int = 2
    explicit: pa.Array | None = None

    def line(self, i: int) -> int:
        if self.explicit is not None:
            return int(self.explicit[i].as_py())
        return self.base + i

    def array(self, n: int) -> pa.Array:
        """The line numbers of rows 0..n-1 as an int64 array."""
        if self.explicit is not None:
            return self.explicit.cast(pa.int64())
        import numpy as np

        return pa.array(np.arange(self.base, self.base + n, dtype=np.int64))


class DatasetInvalid(Exception):
    """A dataset broke the contract. ``problems`` lists them (capped per check), ``total`` counts all."""

    def __init__(self, problems: Sequence[Problem], total: int | None = None) -> None:
        self.problems = list(problems)
        self.total = len(self.problems) if total is None else total
        head = "; ".join(str(p) for p in self.problems[:3])
        more = f" (und {self.total - 3} weitere)" if self.total > 3 else ""
        super().__init__(f"Datensatz ungültig: {self.total} Problem(e): {head}{more}")

"""Zielvereinbarung (§ 48b SGB II): agreement model, file format, monitoring, forecast, planning.

Public API
----------
- model: :class:`Agreement`, :class:`Goal`, :class:`Target`, :class:`Link`, :class:`Signatory`,
  :class:`VersionEntry`, :class:`AgreementRecord` (versioning rules), :func:`diff_versions`
- file format: :func:`load_agreement`, :func:`parse_agreement`, :func:`dumps_agreement`,
  :func:`save_agreement`, :class:`AgreementFileInvalid`
- monitoring: :func:`collect` (actual series from the engine), :func:`monitor`, :class:`Monitoring`
- planning: :func:`propose`, :func:`exits_needed_for_average`
"""

from __future__ import annotations

from .actuals import SeriesSet, collect
from .fileformat import AgreementFileInvalid, dumps_agreement, load_agreement, parse_agreement, save_agreement
from .model import (
    Agreement,
    AgreementError,
    AgreementRecord,
    Change,
    Goal,
    Link,
    Signatory,
    SignedVersionImmutable,
    Target,
    VersionEntry,
    diff_versions,
)
from .monitoring import Monitoring, TargetMonitor, monitor, resolve
from .planning import exits_needed_for_average, propose

__all__ = [
    "Agreement",
    "AgreementError",
    "AgreementFileInvalid",
    "AgreementRecord",
    "Change",
    "Goal",
    "Link",
    "Monitoring",
    "SeriesSet",
    "Signatory",
    "SignedVersionImmutable",
    "Target",
    "TargetMonitor",
    "VersionEntry",
    "collect",
    "diff_versions",
    "dumps_agreement",
    "exits_needed_for_average",
    "load_agreement",
    "monitor",
    "parse_agreement",
    "propose",
    "resolve",
    "save_agreement",
]

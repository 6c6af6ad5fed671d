"""Zielvereinbarung (§ 48b SGB II): agreement model, file format, monitoring, forecast, planning.

Public API
----------
- model: :class:`Agreement`, :class:`Goal`, :class:`Target`, :class:`Link`, :class:`Signatory`,
  :class:`VersionEntry`, :class:`AgreementRecord` (versioning rules), :func:`diff_versions`; issue 15:
  :class:`Arbeitskreis` (:class:`Participant`, :class:`MunicipalTarget`), :class:`TeamBreakdown`
  (:class:`TeamOverride`; the team logic is in :mod:`zielwerk.targets.teams`)
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
    Arbeitskreis,
    Change,
    Goal,
    Link,
    MunicipalTarget,
    Participant,
    Signatory,
    SignedVersionImmutable,
    Target,
    TeamBreakdown,
    TeamOverride,
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
    "Arbeitskreis",
    "Change",
    "Goal",
    "Link",
    "Monitoring",
    "MunicipalTarget",
    "Participant",
    "SeriesSet",
    "Signatory",
    "SignedVersionImmutable",
    "Target",
    "TargetMonitor",
    "TeamBreakdown",
    "TeamOverride",
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

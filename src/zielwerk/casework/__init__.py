"""Fallsteuerung: work lists that carry the goals of the target agreement into daily case work.

Public API (all pure functions of a :class:`~zielwerk.data.dataset.Dataset`, a Stichtag and optional
case records; each returns an Arrow table):

* LZB: :func:`lzb_prevention`, :func:`projected_crossings`, :func:`projection_check`,
  :func:`lzb_without_measure`, :func:`lzb_obstacles_without_plan`
* parents: :func:`parents_young_child`, :func:`young_parents_without_degree`
* childcare: :func:`match_childcare`, :func:`unmatched_by_municipality_slot`
* U25: :func:`u25_without_training`, :func:`training_integrations_u25`, :func:`training_comparison`
* case records: :class:`CaseRecords`, :func:`review_due`, :func:`action_plan_status`,
  :func:`overdue_reviews`, :func:`caseload`
* case view: :func:`case_view`
* loop: :func:`track_outcomes`, :func:`outcome_summary`; catalogue :data:`LISTS`, :func:`build_list`
"""

from .caseview import CaseView, PersonNotFound, case_view
from .catalog import LISTS, ListOptions, WorkList, build_list
from .childcare import match_childcare, unmatched_by_municipality_slot
from .common import goal_of
from .goals import GOALS
from .lzb import (
    forecast_lzb_entries,
    lzb_obstacles_without_plan,
    lzb_prevention,
    lzb_without_measure,
    projected_crossings,
    projection_check,
)
from .outcomes import outcome_summary, track_outcomes
from .parents import parents_young_child, young_parents_without_degree
from .records import (
    CaseRecords,
    CaseRecordsInvalid,
    action_plan_status,
    caseload,
    overdue_reviews,
    review_due,
)
from .u25 import training_comparison, training_integrations_u25, u25_without_training

__all__ = [
    "GOALS",
    "LISTS",
    "CaseRecords",
    "CaseRecordsInvalid",
    "CaseView",
    "ListOptions",
    "PersonNotFound",
    "WorkList",
    "action_plan_status",
    "build_list",
    "case_view",
    "caseload",
    "forecast_lzb_entries",
    "goal_of",
    "lzb_obstacles_without_plan",
    "lzb_prevention",
    "lzb_without_measure",
    "match_childcare",
    "outcome_summary",
    "overdue_reviews",
    "parents_young_child",
    "projected_crossings",
    "projection_check",
    "review_due",
    "track_outcomes",
    "training_comparison",
    "training_integrations_u25",
    "u25_without_training",
    "unmatched_by_municipality_slot",
    "young_parents_without_degree",
]

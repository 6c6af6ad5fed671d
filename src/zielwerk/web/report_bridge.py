"""Calls ``zielwerk.reports`` to render the monthly report from the precomputed results."""

from __future__ import annotations

from fastapi import HTTPException

from zielwerk.domain.calendar import Month

from .context import Ctx


def render_monthly(ctx: Ctx, month: Month, fmt: str) -> bytes:
    try:
        from zielwerk import reports  # noqa: F401
    except ImportError as exc:
        raise HTTPException(503, "Das Berichtsmodul ist nicht installiert.") from exc
    raise HTTPException(503, "Das Berichtsmodul bietet noch keinen Monatsbericht an.")

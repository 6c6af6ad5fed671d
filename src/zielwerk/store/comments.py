"""Deviation comments (Abweichungsbegründung): one text per agreement, month and goal (issue 13).

Written by controlling and the Jobcenter management on the Berichte page; the newest entry of a
(agreement, month, goal) is the comment the report prints beside the goal's deviation. A change adds a
row (the older texts stay, and every change is audited by the caller).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .models import Base, utcnow

#: longest comment accepted (characters)
MAX_LENGTH = 2000


class DeviationComment(Base):
    __tablename__ = "deviation_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_key: Mapped[str] = mapped_column(String(120), index=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    goal_id: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CommentError(ValueError):
    """A comment was refused (German message)."""


def add(session: Session, *, agreement_key: str, month: str, goal_id: str, text: str,
        created_by: str) -> DeviationComment:
    """Store a new comment (the newest one per agreement, month and goal counts; empty text clears it)."""
    text = text.replace("\r\n", "\n").strip()
    if len(text) > MAX_LENGTH:
        raise CommentError(f"Die Begründung ist zu lang ({len(text)} Zeichen, höchstens {MAX_LENGTH}).")
    row = DeviationComment(agreement_key=agreement_key, month=month, goal_id=goal_id, text=text,
                           created_by=created_by)
    session.add(row)
    session.flush()
    return row


def current(session: Session, agreement_key: str, month: str) -> dict[str, DeviationComment]:
    """goal id → newest non-empty comment for the agreement and month."""
    rows = session.scalars(select(DeviationComment).where(DeviationComment.agreement_key == agreement_key,
                                                          DeviationComment.month == month)
                           .order_by(DeviationComment.id))
    out: dict[str, DeviationComment] = {}
    for r in rows:
        out[r.goal_id] = r
    return {k: v for k, v in out.items() if v.text}

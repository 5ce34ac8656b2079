"""The UGM-AICare backend's SQLAlchemy models of the seed's nine tables, as its engineers would write them.

Written from the seed document (shared/seed/database-schema.md: the tables, their columns, keys and
relations) with the types, nullability, defaults, checks and indexes that migrations/0001_seed_schema.sql
gives them: bigint identity keys, text, timestamptz, jsonb. `caseattest migrate --baseline 0001` records
0001 as applied on a database these models created, so the two must describe the same tables; the
Alembic test checks that in both directions.

Constraint and index names follow PostgreSQL's own defaults (users_email_key, cases_user_id_fkey, ...),
as 0001's inline constraints get them, through the metadata's naming convention.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import (BigInteger, Boolean, CheckConstraint, DateTime, Double, ForeignKey, Identity, Index,
                        Integer, MetaData, Text, UniqueConstraint, func, text)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "pk": "%(table_name)s_pkey",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "uq": "%(table_name)s_%(column_0_name)s_key",
    "ix": "%(table_name)s_%(column_0_N_name)s_idx",
    "ck": "%(table_name)s_%(constraint_name)s",
}

Key = BigInteger
Timestamp = DateTime(timezone=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def key() -> Mapped[int]:
    return mapped_column(Key, Identity(), primary_key=True)


def created_now() -> Mapped[datetime]:
    return mapped_column(Timestamp, nullable=False, server_default=func.now())


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("email"),
        CheckConstraint("role IN ('user', 'counsellor', 'admin')", name="role_check"),
    )

    id: Mapped[int] = key()
    email: Mapped[str] = mapped_column(Text, nullable=False)
    hashed_password: Mapped[str] = mapped_column(Text, nullable=False)
    role: Mapped[str] = mapped_column(Text, nullable=False, server_default="user")
    full_name: Mapped[str | None] = mapped_column(Text)
    nim: Mapped[str | None] = mapped_column(Text)
    faculty: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_now()


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="check"),
        Index("conversations_user_id_idx", "user_id"),
        Index("conversations_session_id_idx", "session_id"),
    )

    id: Mapped[int] = key()
    user_id: Mapped[int] = mapped_column(Key, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    session_id: Mapped[str] = mapped_column(Text, nullable=False)
    started_at: Mapped[datetime] = created_now()
    ended_at: Mapped[datetime | None] = mapped_column(Timestamp)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("true"))


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint("role IN ('user', 'assistant', 'system')", name="role_check"),
        Index("messages_conversation_id_created_at_idx", "conversation_id", "created_at"),
    )

    id: Mapped[int] = key()
    conversation_id: Mapped[int] = mapped_column(Key, ForeignKey("conversations.id", ondelete="CASCADE"),
                                                 nullable=False)
    role: Mapped[str] = mapped_column(Text, nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = created_now()


class ConversationRiskAssessment(Base):
    __tablename__ = "conversationriskassessment"
    __table_args__ = (
        CheckConstraint("risk_level >= 0", name="risk_level_check"),
        Index("conversationriskassessment_conversation_id_idx", "conversation_id"),
        Index("conversationriskassessment_user_hash_idx", "user_hash"),
    )

    id: Mapped[int] = key()
    conversation_id: Mapped[int] = mapped_column(Key, ForeignKey("conversations.id", ondelete="CASCADE"),
                                                 nullable=False)
    user_hash: Mapped[str] = mapped_column(Text, nullable=False)
    risk_level: Mapped[int] = mapped_column(Integer, nullable=False)
    risk_score: Mapped[float | None] = mapped_column(Double)
    severity: Mapped[str | None] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(Text)
    phq9_indicators: Mapped[Any | None] = mapped_column(JSONB)
    gad7_indicators: Mapped[Any | None] = mapped_column(JSONB)
    trend: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    counsellor_recommendation: Mapped[str | None] = mapped_column(Text)
    analysed_at: Mapped[datetime] = created_now()


class ScreeningProfile(Base):
    __tablename__ = "screeningprofile"
    __table_args__ = (
        UniqueConstraint("user_id"),  # one profile per user ("has one")
        Index("screeningprofile_user_hash_idx", "user_hash"),
    )

    id: Mapped[int] = key()
    user_id: Mapped[int] = mapped_column(Key, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    user_hash: Mapped[str] = mapped_column(Text, nullable=False)
    phq9_history: Mapped[Any | None] = mapped_column(JSONB)
    gad7_history: Mapped[Any | None] = mapped_column(JSONB)
    dass21_history: Mapped[Any | None] = mapped_column(JSONB)
    last_updated: Mapped[datetime] = created_now()


class Case(Base):
    """Clinical records: deleting a user who still has cases is refused (no ON DELETE)."""

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'in_progress', 'resolved', 'closed')", name="status_check"),
        CheckConstraint("risk_level_at_creation >= 0", name="risk_level_at_creation_check"),
        CheckConstraint("status <> 'resolved' OR resolved_at IS NOT NULL", name="check"),
        CheckConstraint("resolved_at IS NULL OR resolved_at >= created_at", name="check1"),
        Index("cases_status_resolved_at_idx", "status", "resolved_at"),
        Index("cases_user_id_idx", "user_id"),
        Index("cases_counsellor_id_idx", "counsellor_id"),
    )

    id: Mapped[int] = key()
    user_id: Mapped[int] = mapped_column(Key, ForeignKey("users.id"), nullable=False)
    counsellor_id: Mapped[int | None] = mapped_column(Key, ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(Text, nullable=False, server_default="open")
    risk_level_at_creation: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = created_now()
    resolved_at: Mapped[datetime | None] = mapped_column(Timestamp)


class Appointment(Base):
    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint("status IN ('scheduled', 'completed', 'cancelled', 'no_show')", name="status_check"),
        CheckConstraint("location_type IN ('online', 'in_person')", name="location_type_check"),
        Index("appointments_case_id_idx", "case_id"),
        Index("appointments_user_id_idx", "user_id"),
        Index("appointments_counsellor_id_scheduled_at_idx", "counsellor_id", "scheduled_at"),
    )

    id: Mapped[int] = key()
    case_id: Mapped[int] = mapped_column(Key, ForeignKey("cases.id"), nullable=False)
    user_id: Mapped[int] = mapped_column(Key, ForeignKey("users.id"), nullable=False)
    counsellor_id: Mapped[int] = mapped_column(Key, ForeignKey("users.id"), nullable=False)
    scheduled_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    status: Mapped[str] = mapped_column(Text, nullable=False, server_default="scheduled")
    location_type: Mapped[str] = mapped_column(Text, nullable=False)


class CaseAttestation(Base):
    """A confirmed attestation of a case: CaseAttest inserts the row when the anchor is confirmed."""

    __tablename__ = "caseattestation"
    __table_args__ = (Index("caseattestation_case_id_idx", "case_id"),)

    id: Mapped[int] = key()
    case_id: Mapped[int] = mapped_column(Key, ForeignKey("cases.id"), nullable=False)
    counsellor_id: Mapped[int | None] = mapped_column(Key, ForeignKey("users.id"))
    content_hash: Mapped[str] = mapped_column(Text, nullable=False)
    tx_hash: Mapped[str | None] = mapped_column(Text)
    attested_at: Mapped[datetime] = created_now()


class UserInterventionPlan(Base):
    __tablename__ = "userinterventionplan"
    __table_args__ = (Index("userinterventionplan_user_id_idx", "user_id"),)

    id: Mapped[int] = key()
    user_id: Mapped[int] = mapped_column(Key, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    category: Mapped[str] = mapped_column(Text, nullable=False)
    coping_strategies: Mapped[Any | None] = mapped_column(JSONB)
    psychoeducation: Mapped[str | None] = mapped_column(Text)
    homework: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_now()
    completed: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))

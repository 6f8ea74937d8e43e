"""Requests and answers of the follow-up API (API.md, Revision 2: "Job seekers: matching and
follow-up"); the items extend the contract's {"id", "intention", "due_on", "status"}."""

from __future__ import annotations

from datetime import date
from typing import Literal

import msgspec

from fairs.bounds import Bounded, Note

Outcome = Literal["hired", "in_process", "declined", "unreachable"]
Status = Literal["open", "done", "closed"]


class OutcomeIn(Bounded, kw_only=True):
    """The outcome of a call: `started_on` is a hire's start date (required for hired)."""

    outcome: Outcome
    started_on: date | None = None
    notes: Note | None = None


class HireIn(Bounded, kw_only=True):
    """An employer confirms that it hired the job seeker of one of its intentions."""

    started_on: date
    notes: Note | None = None


class FollowupStep(msgspec.Struct, kw_only=True):
    id: int
    step: int
    days: int
    due_on: str
    status: Status
    outcome: Outcome | None = None
    started_on: str | None = None


class FollowupOut(msgspec.Struct, kw_only=True):
    """A follow-up task: the contract's four fields first, then what the call list shows."""

    id: int
    intention: int
    due_on: str
    status: Status
    step: int
    days: int
    overdue: bool
    outcome: Outcome | None
    started_on: str | None
    notes: str
    fair: int
    fair_title: str
    employer: int
    employer_name: str
    position: int
    position_title: str
    name: str  # masked
    phone: str  # masked; "" once the registration's personal data was erased
    audiences: list[str]
    graduate: bool
    intended_at: str
    steps: list[FollowupStep] | None = None


class FollowupCounts(msgspec.Struct, kw_only=True):
    open: int
    overdue: int
    done: int
    closed: int


class FollowupList(msgspec.Struct, kw_only=True):
    items: list[FollowupOut]
    total: int
    counts: FollowupCounts


class ContactOut(msgspec.Struct, kw_only=True):
    """The job seeker's name and number in full (each look audited); null once erased."""

    id: int
    name: str
    phone: str | None
    national: str | None


class EmployerIntentionOut(msgspec.Struct, kw_only=True):
    id: int
    fair: int
    fair_title: str
    position: int
    position_title: str
    created_at: str
    name: str  # masked
    outcome: Outcome | None
    started_on: str | None
    hired: bool


class EmployerIntentionList(msgspec.Struct, kw_only=True):
    items: list[EmployerIntentionOut]
    total: int

"""The state of one admin's /add form, and its JSON in the form's database row.

A form filled in from an article (bot/tg/admin/draft.py) is the same form with three more
parts: the fields marked as unsure, the participants still to confirm, and the next drafts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.core import forms
from bot.core.records import MeetingDraft, ParticipantRecord, PersonCandidate


@dataclass(slots=True)
class AddState:
    """The /add conversation of one admin: the draft and the open question, if any."""

    draft: MeetingDraft = field(default_factory=MeetingDraft)
    pending: ParticipantRecord | None = None
    candidates: tuple[PersonCandidate, ...] = ()
    notes: list[str] = field(default_factory=list)
    edit_field: str | None = None
    # A form prefilled from an article (bot/tg/admin/draft.py): the fields marked as unsure,
    # the article's participants still to confirm one by one, and the next drafts' forms.
    prefilled: bool = False
    marks: dict[str, str] = field(default_factory=dict)
    unsettled: list[ParticipantRecord] = field(default_factory=list)
    queue: list[dict[str, Any]] = field(default_factory=list)
    # The id of the meeting on record that Save found with the draft's date and people: the
    # question "save anyway?" waits on it (step "same"), across restarts like every step.
    same_as: int | None = None
    # Not stored: the form row this state came from, and whether a step has written it.
    form: forms.Form | None = None
    written: bool = False

    def to_data(self) -> dict[str, Any]:
        """The state as the JSON of its form row."""
        return {
            "draft": forms.dump_draft(self.draft),
            "pending": forms.dump_participant(self.pending) if self.pending else None,
            "candidates": [forms.dump_candidate(c) for c in self.candidates],
            "notes": list(self.notes),
            "edit_field": self.edit_field,
            "prefilled": self.prefilled,
            "marks": dict(self.marks),
            "unsettled": [forms.dump_participant(p) for p in self.unsettled],
            "queue": list(self.queue),
            "same_as": self.same_as,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> AddState:
        """The state from the JSON of its form row."""
        pending = data.get("pending")
        return cls(
            draft=forms.load_draft(data.get("draft") or {}),
            pending=forms.load_participant(pending) if pending else None,
            candidates=tuple(forms.load_candidate(c) for c in data.get("candidates", [])),
            notes=list(data.get("notes", [])),
            edit_field=data.get("edit_field"),
            prefilled=bool(data.get("prefilled")),
            marks=dict(data.get("marks") or {}),
            unsettled=[forms.load_participant(p) for p in data.get("unsettled") or []],
            queue=list(data.get("queue") or []),
            same_as=data.get("same_as"),
        )

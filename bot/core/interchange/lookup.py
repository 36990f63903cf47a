"""Finding the people, organisations and issues an import names, namesakes included.

Names is the in-memory lookup by name_key (bot/core/names.py) of names and aliases;
stored_people finds, for a record that names someone a namesake shares a name with, the
people of the stored meeting the record is, so a re-import never adds that namesake again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

from sqlmodel import Session

from bot.core.names import name_key, same_people
from bot.core.schema import MeetingIn, unique_aliases
from storage import repository
from storage.models import Issue, Organization, Participation, Person

Named = TypeVar("Named", Person, Organization, Issue)


class Names(Generic[Named]):  # Python 3.11: no PEP 695 generics yet
    """An in-memory lookup of records by the name_key of their name and of their aliases."""

    def __init__(self, rows: Iterable[Named]) -> None:
        self.by_name: dict[str, list[Named]] = {}
        self.by_alias: dict[str, list[Named]] = {}
        for row in rows:
            self.index(row)

    def index(self, row: Named) -> None:
        """Make row findable by its name and its current aliases."""
        bucket = self.by_name.setdefault(name_key(row.name), [])
        if not any(r is row for r in bucket):
            bucket.append(row)
        for alias in row.aliases:
            bucket = self.by_alias.setdefault(name_key(alias), [])
            if not any(r is row for r in bucket):
                bucket.append(row)

    def rename(self, row: Named, name: str) -> None:
        """Give row a new name; the old one becomes its first alias."""
        bucket = self.by_name.get(name_key(row.name), [])
        bucket[:] = [r for r in bucket if r is not row]
        old = row.name
        row.name = name
        row.aliases = unique_aliases([old, *row.aliases], name)
        self.index(row)

    def find(self, name: str, aliases: Iterable[str] = ()) -> Named | None:
        """Return the one record that name (or, failing that, one of aliases) names, if any."""
        key = name_key(name)
        for bucket in (self.by_name.get(key, []), self.by_alias.get(key, [])):
            if len(bucket) == 1:
                return bucket[0]
            if len(bucket) > 1:
                return None  # two records answer to it: guessing would merge strangers
        found = {id(r): r for a in aliases for r in self.by_name.get(name_key(a), [])}
        return next(iter(found.values())) if len(found) == 1 else None

    def namesakes(self, name: str) -> list[Named]:
        """Return the records find() chooses among for name: those named so, else aliased so."""
        key = name_key(name)
        return list(self.by_name.get(key) or self.by_alias.get(key) or ())

    def owners(self, label: str) -> list[Named]:
        """Return every record that answers to label, by name or alias."""
        key = name_key(label)
        rows = self.by_name.get(key, []) + self.by_alias.get(key, [])
        return list({id(r): r for r in rows}.values())


def rows_by_id(names: Names[Named]) -> dict[int, Named]:
    return {
        row.id: row for bucket in names.by_name.values() for row in bucket if row.id is not None
    }


def person_label(person: Person) -> str:
    country = f", {person.country}" if person.country else ""
    return f"person {person.id}{country}" if person.id is not None else f"new{country}"


def stored_people(
    records: Sequence[MeetingIn], people_names: Names[Person], *, session: Session
) -> dict[int, frozenset[int]]:
    """For each record that names a namesake: the people of the stored meeting it is.

    That meeting is the one with the record's id, else one on its date whose people answer,
    one for one, to the record's names (by name_key, name or alias). Only records with a name
    that several people share are looked up, so an ordinary import pays nothing.
    """
    needed = {
        i: r
        for i, r in enumerate(records)
        if any(len(people_names.namesakes(p.name)) > 1 for p in r.participants)
    }
    if not needed:
        return {}
    by_external = repository.find_meetings_by_external_ids(
        [r.id for r in needed.values() if r.id is not None], session=session
    )
    on_dates = repository.list_meetings_on_dates(
        {r.date for r in needed.values()}, session=session
    )
    meetings = [*by_external.values(), *on_dates]
    links = repository.list_participations([m.id for m in meetings if m.id], session=session)
    people = rows_by_id(people_names)
    hints: dict[int, frozenset[int]] = {}
    for at, record in needed.items():
        meeting = by_external.get(record.id) if record.id is not None else None
        if meeting is None:
            meeting = next(
                (
                    m
                    for m in on_dates
                    if m.date == record.date
                    and same_names(record, links.get(m.id or 0, []), people)
                ),
                None,
            )
        if meeting is not None and meeting.id is not None:
            hints[at] = frozenset(row.person_id for row in links.get(meeting.id, []))
    return hints


def same_names(record: MeetingIn, rows: list[Participation], people: dict[int, Person]) -> bool:
    """Tell whether the stored participants answer to the record's names, one for one."""
    stored = [people[row.person_id] for row in rows if row.person_id in people]
    named = [(entry.name, None) for entry in record.participants]
    return len(stored) == len(rows) and same_people(named, stored)

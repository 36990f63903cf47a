"""What the stored catalog tells extraction: people, organisations and issues by name key.

Read once per extraction from the session (an empty database, or none, gives empty tables:
extraction then works from the built-in office words alone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.names import name_key

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass(frozen=True)
class StoredPerson:
    id: int
    name: str
    country: str | None


@dataclass(frozen=True)
class Catalog:
    """name key -> stored person / organisation name (and country); issues with aliases."""

    people: dict[str, StoredPerson] = field(default_factory=dict)
    organizations: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    issues: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def person(self, name: str) -> StoredPerson | None:
        return self.people.get(name_key(name))

    def organization(self, name: str) -> tuple[str, str | None] | None:
        return self.organizations.get(name_key(name))


EMPTY = Catalog()


def load_catalog(session: Session | None) -> Catalog:
    """The catalog of the session's database (EMPTY without a session)."""
    if session is None:
        return EMPTY
    from sqlmodel import select

    from storage.models import Issue, Organization, Person

    people: dict[str, StoredPerson] = {}
    for person in session.exec(select(Person)).all():
        assert person.id is not None
        stored = StoredPerson(person.id, person.name, person.country)
        for spelling in (person.name, *person.aliases):
            people.setdefault(name_key(spelling), stored)
    organizations: dict[str, tuple[str, str | None]] = {}
    for org in session.exec(select(Organization)).all():
        for spelling in (org.name, *org.aliases):
            organizations.setdefault(name_key(spelling), (org.name, org.country))
    issues = tuple(
        (issue.name, tuple(issue.aliases)) for issue in session.exec(select(Issue)).all()
    )
    return Catalog(people, organizations, issues)

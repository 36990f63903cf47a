"""Apply a validated import document in the caller's transaction, writing only rows that differ."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from sqlmodel import Session

from bot.core.clock import Clock
from bot.core.geography import country_named
from bot.core.interchange.lookup import Names, person_label, rows_by_id, stored_people
from bot.core.interchange.outcome import ImportResult, MeetingOutcome, changed_fields
from bot.core.interchange.parse import ImportDoc, InvalidImport
from bot.core.lexicon import tokens
from bot.core.names import name_key
from bot.core.schema import IssueIn, MeetingIn, OrganizationIn, ParticipantIn, unique_aliases
from bot.core.snapshots import SnapshotPerson, build_snapshot
from storage import repository
from storage.db import bump_catalog_version, lock_catalog
from storage.models import Issue, Meeting, MeetingIssue, Organization, Participation, Person


@dataclass(frozen=True, slots=True)
class _Want:
    """A meeting as the file wants it, with its names resolved to rows."""

    at: int  # index in the file
    record: MeetingIn
    people: tuple[tuple[Person, str | None, Organization | None, str | None], ...]
    issues: tuple[Issue, ...]

    def person_ids(self) -> frozenset[int] | None:
        """The ids of its people; None when one is new (no stored meeting can have them all)."""
        ids = frozenset(p.id for p, _, _, _ in self.people if p.id is not None)
        return ids if len(ids) == len({id(p) for p, _, _, _ in self.people}) else None


class _Applier:
    """One import's working state: the name lookups, the new rows and the counters."""

    def __init__(self, *, session: Session, clock: Clock, actor_id: int | None) -> None:
        self.session = session
        self.now = clock.now()
        self.actor_id = actor_id
        self.people = Names(repository.list_people(session=session))
        self.orgs = Names(repository.list_organizations(session=session))
        self.issues = Names(repository.list_issues(session=session))
        self.errors: list[str] = []
        # New rows stay out of the session until the writes (repository.add_new_rows).
        self.new_people: list[Person] = []
        self.new_orgs: list[Organization] = []
        self.new_issues: list[Issue] = []
        self.added: dict[str, set[int]] = {"people": set(), "orgs": set(), "issues": set()}
        self.updated: dict[str, set[int]] = {"people": set(), "orgs": set(), "issues": set()}
        self._by_id: tuple[dict[int, Person], dict[int, Organization], dict[int, Issue]] | None = (
            None
        )

    def by_id(self) -> tuple[dict[int, Person], dict[int, Organization], dict[int, Issue]]:
        """Return the stored people, organisations and issues by id (asked before the writes,
        which give the new ones theirs)."""
        if self._by_id is None:
            self._by_id = (
                rows_by_id(self.people),
                rows_by_id(self.orgs),
                rows_by_id(self.issues),
            )
        return self._by_id

    def _note(self, kind: str, row: object, *, new: bool = False) -> None:
        if new:
            self.added[kind].add(id(row))
        elif id(row) not in self.added[kind]:
            self.updated[kind].add(id(row))

    # The alias sections come first, so that meetings can name things by their aliases.

    def apply_organization(self, entry: OrganizationIn, where: str) -> None:
        org = self._named(self.orgs, entry.name, entry.aliases, "orgs") or self._add_org(
            entry.name
        )
        self._check_aliases(self.orgs, org, entry.aliases, where, "organisation")
        aliases = unique_aliases([*org.aliases, *entry.aliases], org.name)
        if aliases != org.aliases:
            org.aliases = aliases
            self.orgs.index(org)
            self._note("orgs", org)
        if entry.country and entry.country != org.country:
            org.country = entry.country
            self._note("orgs", org)

    def apply_issue(self, entry: IssueIn, where: str) -> None:
        issue = self._named(self.issues, entry.name, entry.aliases, "issues") or self._add_issue(
            entry.name
        )
        self._check_aliases(self.issues, issue, entry.aliases, where, "issue")
        aliases = unique_aliases([*issue.aliases, *entry.aliases], issue.name)
        if aliases != issue.aliases:
            issue.aliases = aliases
            self.issues.index(issue)
            self._note("issues", issue)

    def _named(self, names: Names[Any], name: str, aliases: list[str], kind: str) -> Any:
        """Find the record an alias-section entry is about, renaming it if the entry says so.

        A section entry names a record canonically: when one of its aliases is the name a
        record already has (say NATO, made by an earlier meeting), that record takes the
        entry's name and keeps its old name as an alias.
        """
        row = names.find(name)
        if row is not None:
            return row
        row = names.find(name, aliases)
        if row is not None:
            names.rename(row, name)
            self._note(kind, row)
        return row

    def _check_aliases(
        self, names: Names[Any], row: Any, aliases: list[str], where: str, noun: str
    ) -> None:
        for k, alias in enumerate(aliases):
            others = [r for r in names.owners(alias) if r is not row]
            if others:
                self.errors.append(
                    f"{where}.aliases[{k}]: {alias} already names another {noun}"
                    f" ({others[0].name})"
                )

    def _add_org(self, name: str) -> Organization:
        org = Organization(name=name, aliases=[])
        self.new_orgs.append(org)
        self.orgs.index(org)
        self._note("orgs", org, new=True)
        return org

    def _add_issue(self, name: str) -> Issue:
        issue = Issue(name=name, aliases=[])
        self.new_issues.append(issue)
        self.issues.index(issue)
        self._note("issues", issue, new=True)
        return issue

    def resolve_person(self, entry: ParticipantIn, where: str, hint: frozenset[int]) -> Person:
        namesakes = self.people.namesakes(entry.name)
        if len(namesakes) > 1:
            person = self._tell_apart(entry, namesakes, where, hint)
            if person is None:
                return namesakes[0]  # an error is recorded: nothing will be written
        else:
            person = self.people.find(entry.name, entry.aliases)
            if person is not None and person.id not in hint and _other_country(person, entry):
                person = None  # a namesake from another country is another person
        if person is None:
            person = Person(name=entry.name, aliases=list(entry.aliases), country=entry.country)
            self.new_people.append(person)
            self.people.index(person)
            self._note("people", person, new=True)
            return person
        # The file's own spelling of the name becomes an alias of the person it resolved to.
        aliases = unique_aliases([*person.aliases, entry.name, *entry.aliases], person.name)
        if aliases != person.aliases:
            person.aliases = aliases
            self.people.index(person)
            self._note("people", person)
        if person.country is None and entry.country:
            person.country = entry.country
            self._note("people", person)
        return person

    def _tell_apart(
        self, entry: ParticipantIn, namesakes: list[Person], where: str, hint: frozenset[int]
    ) -> Person | None:
        """Choose among people who share the entry's name, or record why the file must say.

        The stored meeting the record is (hint: its people's ids) decides first; then the
        entry's country, organization and title, each against what the person has held. A
        namesake is never added again for a name that is already taken: when two remain, the
        error names the path and the candidates (the import then writes nothing).
        """
        pool = [p for p in namesakes if p.id in hint] or namesakes
        facets = self._facets(pool)
        for index, wanted in enumerate((entry.country, entry.organization, entry.title)):
            if len(pool) == 1:
                break
            if wanted:
                fits = [p for p in pool if name_key(wanted) in facets[id(p)][index]]
                pool = fits or pool
        if len(pool) > 1:
            labels = "; ".join(person_label(p) for p in pool[:5])
            self.errors.append(
                f"{where}: {entry.name} could be any of {len(pool)} people ({labels}); "
                "give the country, organization or title that tells them apart"
            )
            return None
        return pool[0]

    def _facets(self, people: list[Person]) -> dict[int, tuple[set[str], set[str], set[str]]]:
        """Each person's countries, organisations and titles (name keys), as held at meetings."""
        facets = {id(p): ({name_key(p.country or "")}, set[str](), set[str]()) for p in people}
        by_id = {p.id: p for p in people if p.id is not None}
        orgs = rows_by_id(self.orgs)
        for row in repository.list_roles_of_people(list(by_id), session=self.session):
            countries, org_keys, titles = facets[id(by_id[row.person_id])]
            countries.add(name_key(row.country or ""))
            titles.add(name_key(row.title or ""))
            org = orgs.get(row.organization_id) if row.organization_id else None
            if org is not None:
                org_keys.update(name_key(n) for n in (org.name, *org.aliases))
        for sets in facets.values():
            for keys in sets:
                keys.discard("")
        return facets

    def resolve_org(self, name: str | None) -> Organization | None:
        if name is None:
            return None
        return self.orgs.find(name) or self._add_org(name)

    def merge(self, want: _Want, meeting: Meeting, links: _Links) -> _Want:
        """Return want with what the file leaves out taken from the stored meeting.

        A field the record does not name (location, title, summary, source, issues; a
        participant's title, organization, country) keeps its stored value; a field the record
        names, even empty ("location: ''", "issues: []"), is what the file says.
        """
        given = want.record.model_fields_set
        _, orgs, issues_by_id = self.by_id()
        kept: dict[str, Any] = {
            name: getattr(meeting, name)
            for name in ("location", "title", "summary")
            if name not in given
        }
        if "source" not in given:
            kept["source"] = list(meeting.sources or ())
        issues = want.issues
        if "issues" not in given:
            issues = tuple(
                issues_by_id[link.issue_id]
                for link in sorted(links.issues, key=lambda link: link.position)
            )
            kept["issues"] = [issue.name for issue in issues]
        stored = {row.person_id: row for row in links.people}
        people = []
        for entry, (person, title, org, country) in zip(
            want.record.participants, want.people, strict=True
        ):
            row = stored.get(person.id) if person.id is not None else None
            if row is not None:
                named = entry.model_fields_set
                if "title" not in named:
                    title = row.title
                if "organization" not in named:
                    org = orgs.get(row.organization_id) if row.organization_id else None
                if "country" not in named:
                    country = row.country
            people.append((person, title, org, country))
        record = want.record.model_copy(update=kept) if kept else want.record
        return _Want(want.at, record, tuple(people), issues)

    def resolve_meeting(self, at: int, record: MeetingIn, hint: frozenset[int]) -> _Want:
        people = tuple(
            (
                self.resolve_person(p, f"meetings[{at}].participants[{j}]", hint),
                p.title,
                self.resolve_org(p.organization),
                p.country,
            )
            for j, p in enumerate(record.participants)
        )
        issues = tuple(
            self.issues.find(label) or self._add_issue(label) for label in record.issues
        )
        return _Want(at, record, people, issues)


@dataclass(slots=True)
class _Links:
    """A meeting's current participation and issue rows, in order."""

    people: list[Participation]
    issues: list[MeetingIssue]


def apply_import(
    doc: ImportDoc,
    *,
    session: Session,
    clock: Clock,
    actor_id: int | None = None,
    replace: bool = False,
) -> ImportResult:
    """Write doc into the database in the caller's transaction and count what changed.

    A meeting with an id is found by it (Meeting.external_id); one without by its date and the
    set of its participants. A found meeting merges with the file: what the file leaves out is
    kept, and a field is cleared only when the file gives it empty (`location: ""`,
    `issues: []`). With replace, a found meeting becomes exactly what the file says (its
    external id stays when the file has none). People, organisations and issues only gain
    aliases. Rows are written only where something differs, so the same file
    twice changes nothing, not even updated_at. Every added or updated meeting gets an
    AuditEntry (action "import"). Raises InvalidImport when the file clashes with the records
    (an alias that names another organisation or issue); the caller then rolls back and
    nothing is kept.
    """
    # Everything is looked up, resolved and built before the first write: on SQLite the first
    # write takes the database's one write lock, which every other writer waits for (the
    # digest's bookkeeping, the answers the bot remembers), so the lock is held only for the
    # bulk inserts. Nothing is flushed until then (no_autoflush), and all of it is one
    # transaction: nothing is written unless the whole file applies.
    # On PostgreSQL the import is the one catalog writer from its first read (storage.db
    # lock_catalog): a concurrent import waits, then reads what this one wrote.
    lock_catalog(session)
    with session.no_autoflush:
        work = _Applier(session=session, clock=clock, actor_id=actor_id)
        for i, org in enumerate(doc.organizations):
            work.apply_organization(org, f"organizations[{i}]")
        for i, issue in enumerate(doc.issues):
            work.apply_issue(issue, f"issues[{i}]")
        if work.errors:
            raise InvalidImport(work.errors)
        hints = stored_people(doc.meetings, work.people, session=session)
        wants = [
            work.resolve_meeting(i, m, hints.get(i, frozenset()))
            for i, m in enumerate(doc.meetings)
        ]
        if work.errors:
            raise InvalidImport(work.errors)
        found, links = _match_meetings(wants, session=session)
        added: list[tuple[_Want, Meeting]] = []
        matched: list[tuple[_Want, Meeting, dict[str, Any]]] = []
        for want in wants:
            meeting = found.get(want.at)
            if meeting is None:
                added.append((want, _new_meeting(want.record, work)))
                continue
            assert meeting.id is not None
            if not replace:
                want = work.merge(want, meeting, links[meeting.id])
            matched.append((want, meeting, _link_snapshot(meeting, links[meeting.id], work)))

    # The writes. New rows go in as bulk inserts, which bypass the session's flush, so the
    # catalog version is raised here; ids for new people, organisations and issues come
    # before anything points at them.
    if work.new_people or work.new_orgs or work.new_issues or added:
        bump_catalog_version(session)
    repository.add_new_rows(work.new_orgs, session=session)
    repository.add_new_rows(work.new_issues, session=session)
    repository.add_new_rows(work.new_people, session=session)
    updated: list[tuple[_Want, Meeting, dict[str, Any]]] = []
    unchanged: list[tuple[_Want, Meeting]] = []
    for want, meeting, before in matched:
        assert meeting.id is not None
        if _update_meeting(meeting, want, links[meeting.id], session=session):
            meeting.updated_at = work.now
            meeting.updated_by = actor_id
            updated.append((want, meeting, before))
        else:
            unchanged.append((want, meeting))
    session.flush()
    repository.add_new_rows([meeting for _, meeting in added], session=session)
    people_rows: list[dict[str, Any]] = []
    issue_rows: list[dict[str, Any]] = []
    audit_rows: list[dict[str, Any]] = []
    outcomes: dict[int, MeetingOutcome] = {}
    for want, meeting in added:
        assert meeting.id is not None
        people_rows.extend(
            {
                "meeting_id": meeting.id,
                "person_id": person.id,
                "position": position,
                "title": title,
                "organization_id": org.id if org else None,
                "country": country,
            }
            for position, (person, title, org, country) in enumerate(want.people)
        )
        issue_rows.extend(
            {"meeting_id": meeting.id, "issue_id": issue.id, "position": position}
            for position, issue in enumerate(want.issues)
        )
        audit_rows.append(_audit_row(work, meeting, None, _want_snapshot(meeting, want)))
        outcomes[want.at] = _outcome(want, meeting, "added")
    for want, meeting, before in updated:
        after = _want_snapshot(meeting, want)
        audit_rows.append(_audit_row(work, meeting, before, after))
        outcomes[want.at] = _outcome(want, meeting, "updated", changed_fields(before, after))
    for want, meeting in unchanged:
        outcomes[want.at] = _outcome(want, meeting, "unchanged")
    repository.add_participations(people_rows, session=session)
    repository.add_meeting_issues(issue_rows, session=session)
    repository.add_audit_entries(audit_rows, session=session)
    return ImportResult(
        added=len(added),
        updated=len(updated),
        unchanged=len(unchanged),
        people_added=len(work.added["people"]),
        people_updated=len(work.updated["people"]),
        organizations_added=len(work.added["orgs"]),
        organizations_updated=len(work.updated["orgs"]),
        issues_added=len(work.added["issues"]),
        issues_updated=len(work.updated["issues"]),
        meeting_ids=tuple(
            int(m.id) for m in [*(m for _, m in added), *(m for _, m, _ in updated)] if m.id
        ),
        meetings=tuple(outcomes[at] for at in sorted(outcomes)),
    )


def _outcome(
    want: _Want,
    meeting: Meeting,
    status: Literal["added", "updated", "unchanged"],
    fields: tuple[str, ...] = (),
) -> MeetingOutcome:
    assert meeting.id is not None
    return MeetingOutcome(want.at, meeting.id, meeting.date, meeting.external_id, status, fields)


def _audit_row(
    work: _Applier, meeting: Meeting, before: dict[str, Any] | None, after: dict[str, Any]
) -> dict[str, Any]:
    return {
        "at": work.now,
        "actor_id": work.actor_id,
        "action": "import",
        "entity": "meeting",
        "entity_id": meeting.id,
        "before": before,
        "after": after,
    }


def _match_meetings(
    wants: list[_Want], *, session: Session
) -> tuple[dict[int, Meeting], dict[int, _Links]]:
    """Find the stored meeting each wanted one is, by external id or by date and people."""
    by_external = repository.find_meetings_by_external_ids(
        [w.record.id for w in wants if w.record.id is not None], session=session
    )
    found: dict[int, Meeting] = {}
    for want in wants:
        if want.record.id is not None and want.record.id in by_external:
            found[want.at] = by_external[want.record.id]
    rest = [w for w in wants if w.at not in found]
    if rest:
        candidates = repository.list_meetings_on_dates(
            {w.record.date for w in rest}, session=session
        )
        people = repository.list_participations(
            [m.id for m in candidates if m.id is not None], session=session
        )
        by_key: dict[tuple[dt.date, frozenset[int]], list[Meeting]] = {}
        for meeting in candidates:
            assert meeting.id is not None
            key = (meeting.date, frozenset(p.person_id for p in people.get(meeting.id, [])))
            by_key.setdefault(key, []).append(meeting)
        taken = {id(m) for m in found.values()}
        for want in rest:
            people_ids = want.person_ids()
            if people_ids is None:
                continue
            matches = [
                m
                for m in by_key.get((want.record.date, people_ids), [])
                if id(m) not in taken
                # A record with a new id adopts a stored meeting only if that one has no id.
                and (want.record.id is None or m.external_id is None)
            ]
            if matches:
                found[want.at] = matches[0]
                taken.add(id(matches[0]))
    ids = [m.id for m in found.values() if m.id is not None]
    people = repository.list_participations(ids, session=session)
    issues = repository.list_meeting_issues(ids, session=session)
    links = {i: _Links(people.get(i, []), issues.get(i, [])) for i in ids}
    return found, links


def _record_fields(record: MeetingIn, external_id: str | None) -> dict[str, Any]:
    """The meeting's fields as the file gives them (the stored external_id when it has none)."""
    return {
        "external_id": record.id if record.id is not None else external_id,
        "date": record.date,
        "location": record.location,
        "title": record.title,
        "summary": record.summary,
        "sources": list(record.source),
        "deleted_at": None,  # importing a soft-deleted meeting brings it back
    }


def _new_meeting(record: MeetingIn, work: _Applier) -> Meeting:
    """A new meeting as the file gives it, outside the session (repository.add_new_rows)."""
    # Every field is given: a field left to its default factory costs pydantic a signature
    # lookup per row, seconds for a big file.
    return Meeting(
        id=None,
        created_at=work.now,
        created_by=work.actor_id,
        updated_at=work.now,
        updated_by=work.actor_id,
        **_record_fields(record, None),
    )


def _set_fields(meeting: Meeting, record: MeetingIn) -> bool:
    """Give meeting the file's fields, assigning only those that differ; True if any did."""
    changed = False
    for name, value in _record_fields(record, meeting.external_id).items():
        if getattr(meeting, name) != value:
            setattr(meeting, name, value)
            changed = True
    return changed


def _update_meeting(meeting: Meeting, want: _Want, current: _Links, *, session: Session) -> bool:
    """Make a stored meeting and its links what want says, reusing rows; True if anything moved."""
    assert meeting.id is not None
    changed = _set_fields(meeting, want.record)
    for position, (person, title, org, country) in enumerate(want.people):
        values: dict[str, Any] = {
            "person_id": person.id,
            "position": position,
            "title": title,
            "organization_id": org.id if org else None,
            "country": country,
        }
        if position < len(current.people):
            row = current.people[position]
            for name, value in values.items():
                if getattr(row, name) != value:
                    setattr(row, name, value)
                    changed = True
        else:
            session.add(Participation(meeting_id=meeting.id, **values))
            changed = True
    for row in current.people[len(want.people) :]:
        session.delete(row)
        changed = True
    stored = {link.issue_id: link for link in current.issues}
    wanted_ids = [issue.id for issue in want.issues]
    for position, issue_id in enumerate(wanted_ids):
        assert issue_id is not None
        link = stored.get(issue_id)
        if link is None:
            session.add(MeetingIssue(meeting_id=meeting.id, issue_id=issue_id, position=position))
            changed = True
        elif link.position != position:
            link.position = position
            changed = True
    for issue_id, link in stored.items():
        if issue_id not in wanted_ids:
            session.delete(link)
            changed = True
    return changed


# --- audit snapshots, in the shape edits write (bot/core/snapshots.py) ------------------------


def _want_snapshot(meeting: Meeting, want: _Want) -> dict[str, Any]:
    return build_snapshot(meeting, (SnapshotPerson(*row) for row in want.people), want.issues)


def _link_snapshot(meeting: Meeting, links: _Links, work: _Applier) -> dict[str, Any]:
    people, orgs, issues = work.by_id()
    rows = [
        SnapshotPerson(
            people[p.person_id],
            p.title,
            orgs.get(p.organization_id) if p.organization_id else None,
            p.country,
        )
        for p in sorted(links.people, key=lambda p: p.position)
    ]
    labels = [issues[i.issue_id] for i in sorted(links.issues, key=lambda i: i.position)]
    return build_snapshot(meeting, rows, labels)


def _other_country(person: Person, entry: ParticipantIn) -> bool:
    """Whether the entry names a country that is not the person's (both recognised)."""
    if not person.country or not entry.country:
        return False
    theirs, ours = country_named(tokens(person.country)), country_named(tokens(entry.country))
    return theirs is not None and ours is not None and theirs != ours

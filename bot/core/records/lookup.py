"""Look records up as admins name them: people, issues and meetings.

People by spelling (for /add's "Is this …?"), meetings by id or by what they are (the stored
meeting an admin is about to save again), issues by name or synonym. Names compare by name_key
(bot/core/names.py), the rule the import uses too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.core.names import name_key, same_people
from bot.core.records.values import (
    IssueChoice,
    MeetingRecord,
    NotFoundError,
    ParticipantRecord,
    PersonCandidate,
    PersonMatch,
    RecordError,
)
from storage import repository
from storage.models import Issue, Meeting, MeetingIssue, Person

# rapidfuzz score (0-100) above which a different spelling may be the same person: ask.
PERSON_ASK_SCORE = 85.0
# Row ids are 32-bit INTEGER keys (PostgreSQL refuses to compare a bigger number with one).
MAX_ROW_ID = 2**31 - 1


def match_person(name: str, *, session: Session, country: str | None = None) -> PersonMatch:
    """Find the people a typed name may mean, over their names and aliases.

    One person whose name or alias equals the typed one (after folding case, accents and
    transliteration) is a sure match; several are narrowed by country. Otherwise people whose
    names score at least PERSON_ASK_SCORE are candidates to ask about, best first.
    """
    wanted = name_key(name)
    if not wanted:
        return PersonMatch()
    choices: list[str] = []
    owners: list[Person] = []
    for person in session.exec(select(Person)).all():
        for spelling in (person.name, *(person.aliases or ())):
            choices.append(name_key(spelling))
            owners.append(person)
    exact = list({p.id: p for p, c in zip(owners, choices, strict=True) if c == wanted}.values())
    if len(exact) > 1 and country:
        same_country = [p for p in exact if name_key(p.country or "") == name_key(country)]
        if len(same_country) == 1:
            exact = same_country
    if len(exact) == 1:
        return PersonMatch(exact=_candidate(exact[0], 100.0))
    if exact:
        return PersonMatch(candidates=tuple(_candidate(p, 100.0) for p in exact[:5]))
    scored: dict[int, PersonCandidate] = {}
    for _choice, score, index in process.extract(
        wanted, choices, scorer=fuzz.WRatio, score_cutoff=PERSON_ASK_SCORE, limit=20
    ):
        person = owners[index]
        assert person.id is not None
        if person.id not in scored or scored[person.id].score < score:
            scored[person.id] = _candidate(person, float(score))
    ranked = sorted(scored.values(), key=lambda c: (-c.score, c.name))
    return PersonMatch(candidates=tuple(ranked[:3]))


def _candidate(person: Person, score: float) -> PersonCandidate:
    assert person.id is not None
    return PersonCandidate(person.id, person.name, person.country, score)


def find_by_name(model: Any, name: str, *, session: Session) -> list[Any]:
    """Return the rows of model (Person, Organization or Issue) named name or aliased so."""
    wanted = name_key(name)
    if not wanted:
        return []
    rows = session.exec(select(model)).all()
    exact = [r for r in rows if name_key(r.name) == wanted]
    if exact:
        return exact
    return [r for r in rows if any(name_key(a) == wanted for a in r.aliases or ())]


def resolve_issues(names: Iterable[str], *, session: Session) -> list[IssueChoice]:
    """Map typed issue names to existing issues through names and synonyms.

    A name that matches no issue exactly is new; a close spelling of an existing issue is
    offered as its suggestion.
    """
    issues = session.exec(select(Issue)).all()
    spellings: list[str] = []
    owners: list[Issue] = []
    for issue in issues:
        for spelling in (issue.name, *(issue.aliases or ())):
            spellings.append(name_key(spelling))
            owners.append(issue)
    result = []
    for typed in names:
        wanted = name_key(typed)
        hit = next((o for o, s in zip(owners, spellings, strict=True) if s == wanted), None)
        if hit is not None:
            result.append(IssueChoice(typed, hit.name, existing=True))
            continue
        best = process.extractOne(wanted, spellings, scorer=fuzz.WRatio, score_cutoff=86)
        suggestion = owners[best[2]].name if best else None
        result.append(IssueChoice(typed, typed, existing=False, suggestion=suggestion))
    return result


def known_issues(*, session: Session, limit: int = 20) -> list[tuple[str, tuple[str, ...]]]:
    """Return the most used issues with their synonyms, to suggest while adding a meeting."""
    rows = session.exec(
        select(Issue.id, func.count(col(MeetingIssue.meeting_id)))
        .join(MeetingIssue, col(MeetingIssue.issue_id) == Issue.id, isouter=True)
        .group_by(col(Issue.id), col(Issue.name))
        .order_by(func.count(col(MeetingIssue.meeting_id)).desc(), col(Issue.name))
        .limit(limit)
    ).all()
    issues = {
        i.id: i for i in session.exec(select(Issue).where(col(Issue.id).in_([r[0] for r in rows])))
    }
    return [(issues[i].name, tuple(issues[i].aliases or ())) for i, _count in rows]


def settle_participants(
    participants: Iterable[ParticipantRecord], *, session: Session
) -> tuple[ParticipantRecord, ...]:
    """Tie each participant without a decision to the one person their name surely means.

    A sure match takes the person's id and recorded name; anyone else stays as typed (and
    becomes a new person when saved).
    """
    settled = []
    for p in participants:
        if p.person_id is None and not p.new_person:
            match = match_person(p.name, session=session, country=p.country)
            if match.exact is not None:
                p = replace(p, person_id=match.exact.person_id, name=match.exact.name)
        settled.append(p)
    return tuple(settled)


def _row_id(text: str) -> int | None:
    """Read "12" or "#12" as a row id; None for anything else or beyond a 32-bit key."""
    if not re.fullmatch(r"#?\d{1,10}", text):
        return None
    number = int(text.lstrip("#"))
    return number if 0 < number <= MAX_ROW_ID else None


def find_meeting(
    reference: str | int, *, session: Session, include_deleted: bool = False
) -> Meeting:
    """Return the meeting with this internal id (12 or #12) or external id.

    Raises NotFoundError when there is none (or it is deleted and include_deleted is False).
    """
    text = str(reference).strip()
    meeting = None
    if (number := _row_id(text)) is not None:
        meeting = session.get(Meeting, number)
    if meeting is None and text:
        meeting = session.exec(select(Meeting).where(Meeting.external_id == text)).first()
    if meeting is None:
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise NotFoundError(f"There is no meeting {shown}.")
    if meeting.deleted_at is not None and not include_deleted:
        raise NotFoundError(f"Meeting {meeting.id} is deleted.")
    return meeting


def find_same_meeting(record: MeetingRecord, *, session: Session) -> int | None:
    """Return the id of the stored, not deleted meeting record would repeat, or None.

    That is a meeting on record's date with the same people, compared as the import compares
    a file's meeting with a stored one (names.same_people): a participant tied to a person on
    record by id, anyone else by the name key of a name or alias. A participant the admin made
    a new person is on no stored meeting. Of several such meetings, the oldest.
    """
    if any(p.new_person for p in record.participants):
        return None
    meetings = [
        m
        for m in repository.list_meetings_on_dates([record.date], session=session)
        if m.deleted_at is None and m.id is not None
    ]
    if not meetings:
        return None
    links = repository.list_participations([m.id for m in meetings if m.id], session=session)
    ids = {row.person_id for rows in links.values() for row in rows}
    people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(ids)))}
    wanted = [(p.name, p.person_id) for p in record.participants]
    for meeting in meetings:
        rows = links.get(meeting.id or 0, [])
        if same_people(wanted, [people[row.person_id] for row in rows]):
            return meeting.id
    return None


def find_person(reference: str, *, session: Session) -> Person:
    """Return the person with id #12 (or 12) or the one person with this name or alias."""
    text = reference.strip()
    if re.fullmatch(r"#?\d+", text):
        number = _row_id(text)
        person = session.get(Person, number) if number is not None else None
        if person is None:
            raise NotFoundError(f"There is no person {text}.")
        return person
    found = find_by_name(Person, text, session=session)
    if not found:
        closest = match_person(text, session=session).candidates
        hint = f"; did you mean {closest[0].label}?" if closest else "."
        raise NotFoundError(f"No person is called “{text}”{hint}")
    if len(found) > 1:
        labels = ", ".join(
            f"#{p.id} {p.name}" + (f" ({p.country})" if p.country else "") for p in found[:5]
        )
        raise RecordError(f"Several people are called “{text}” ({labels}); use the #id.")
    only: Person = found[0]
    return only

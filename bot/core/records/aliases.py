"""Names of people, organisations and issues: /alias adds a spelling, /merge joins two people.

Both are audited and undoable. Spellings compare by name_key (bot/core/names.py).
"""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz, process
from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.names import name_key
from bot.core.records.audit import write_audit
from bot.core.records.lookup import find_by_name, find_person
from bot.core.records.parsing import clean_text
from bot.core.records.values import (
    AliasResult,
    ConflictError,
    MergePlan,
    MergeResult,
    NotFoundError,
    PersonMeetings,
    RecordError,
    UndoResult,
)
from bot.core.schema import MAX_NAME
from storage.models import AuditEntry, Issue, Meeting, Organization, Participation, Person

_KINDS: dict[str, tuple[str, Any]] = {
    "person": ("person", Person),
    "people": ("person", Person),
    "organization": ("organization", Organization),
    "organisation": ("organization", Organization),
    "org": ("organization", Organization),
    "issue": ("issue", Issue),
    "topic": ("issue", Issue),
}
_MODELS: dict[str, Any] = {"person": Person, "organization": Organization, "issue": Issue}


def _named_snapshot(row: Any) -> dict[str, Any]:
    snap = {"id": row.id, "name": row.name, "aliases": list(row.aliases or ())}
    if hasattr(row, "country"):
        snap["country"] = row.country
    return snap


def _split_kind(text: str) -> tuple[str | None, str]:
    head, sep, rest = text.partition(":")
    if sep and head.strip().casefold() in _KINDS:
        return _KINDS[head.strip().casefold()][0], rest.strip()
    return None, text.strip()


def _closest_name(name: str, *, session: Session) -> str | None:
    spellings: list[str] = []
    models: tuple[Any, ...] = (Person, Organization, Issue)
    for model in models:
        for row in session.exec(select(model)).all():
            spellings.append(row.name)
    best = process.extractOne(
        name_key(name),
        spellings,
        scorer=fuzz.WRatio,
        processor=name_key,
        score_cutoff=75,
    )
    return best[0] if best else None


def add_alias(
    name: str, alias: str, *, session: Session, clock: Clock, actor_id: int | None
) -> AliasResult:
    """Add alias to the person, organization or issue called name, and audit it.

    name may start with "person:", "organization:" or "issue:" when it names more than one
    kind of thing. Refused when the alias already names another record of the same kind.
    """
    kind, target = _split_kind(name)
    alias = clean_text(alias) or ""
    if not target or not alias:
        raise RecordError("Write /alias NAME = OTHER NAME, for example /alias OSCE PA = PA OSCE.")
    if len(alias) > MAX_NAME:
        raise RecordError(f"The alias is longer than {MAX_NAME} characters.")
    hits: list[tuple[str, Any]] = []
    for kind_name, model in _MODELS.items():
        if kind in (None, kind_name):
            hits.extend((kind_name, row) for row in find_by_name(model, target, session=session))
    if not hits:
        closest = _closest_name(target, session=session)
        hint = f"; did you mean “{closest}”?" if closest else "."
        raise NotFoundError(f"No person, organization or issue is called “{target}”{hint}")
    if len(hits) > 1:
        labels = ", ".join(f"{k} #{row.id} {row.name}" for k, row in hits[:4])
        raise RecordError(
            f"“{target}” names more than one record ({labels}); write person:, organization: "
            "or issue: before the name."
        )
    kind_name, row = hits[0]
    wanted = name_key(alias)
    if wanted in {name_key(s) for s in (row.name, *(row.aliases or ()))}:
        raise RecordError(f"“{alias}” already is a name of {row.name}.")
    for other in find_by_name(_MODELS[kind_name], alias, session=session):
        if other.id != row.id:
            merge_hint = "; use /merge to join the two" if kind_name == "person" else ""
            raise RecordError(f"“{alias}” already names {kind_name} {other.name}{merge_hint}.")
    before = _named_snapshot(row)
    row.aliases = [*(row.aliases or ()), alias]
    session.add(row)
    session.flush()
    write_audit(
        session=session,
        clock=clock,
        actor_id=actor_id,
        action="alias",
        entity=kind_name,
        entity_id=row.id,
        before=before,
        after=_named_snapshot(row),
    )
    return AliasResult(kind_name, int(row.id), row.name, alias)


def undo_alias(entry: AuditEntry, *, session: Session, clock: Clock, actor_id: int) -> UndoResult:
    """Remove the alias an /alias added (called by /undo)."""
    model = _MODELS[entry.entity]
    row = session.get(model, entry.entity_id)
    if row is None or _named_snapshot(row) != entry.after:
        raise ConflictError(f"That {entry.entity} changed since your alias; undo refused.")
    assert entry.before is not None
    current = _named_snapshot(row)
    row.aliases = list(entry.before["aliases"])
    session.add(row)
    session.flush()
    write_audit(
        session=session,
        clock=clock,
        actor_id=actor_id,
        action="undo",
        entity=entry.entity,
        entity_id=entry.entity_id,
        before=current,
        after=_named_snapshot(row),
    )
    added = [a for a in current["aliases"] if a not in entry.before["aliases"]]
    return UndoResult(
        "alias",
        entry.entity,
        entry.entity_id,
        f"Removed the alias “{', '.join(added)}” of {row.name}.",
    )


def _merge_pair(
    keep: str, remove: str, *, session: Session, lock: bool = False
) -> tuple[Person, Person, list[Participation]]:
    """The two people of a merge and the participations that would move; RecordError when the
    merge is refused (one person twice, or both at one meeting: then they are two people).

    lock takes both person rows FOR UPDATE first (PostgreSQL; SQLite writes one at a time), so
    a merge racing on another replica waits for this one and then finds the removed person gone.
    """
    kept = find_person(keep, session=session)
    dropped = find_person(remove, session=session)
    if kept.id == dropped.id:
        raise RecordError(f"“{keep}” and “{remove}” already are the same person.")
    if lock:
        locked = session.exec(
            select(Person.id).where(col(Person.id).in_([kept.id, dropped.id])).with_for_update()
        ).all()
        for person in (kept, dropped):
            if person.id not in locked:
                raise NotFoundError(f"There is no person #{person.id} any more.")
            session.refresh(person)
    kept_meetings = set(
        session.exec(select(Participation.meeting_id).where(Participation.person_id == kept.id))
    )
    moved = list(
        session.exec(select(Participation).where(Participation.person_id == dropped.id)).all()
    )
    shared = sorted(kept_meetings & {p.meeting_id for p in moved})
    if shared:
        raise RecordError(
            f"{kept.name} and {dropped.name} both took part in meeting {shared[0]}, "
            "so they are two people."
        )
    return kept, dropped, moved


def _person_meetings(person: Person, *, session: Session, latest: int) -> PersonMeetings:
    """The person and their meetings that are not deleted: the count and the newest few."""
    rows = session.exec(
        select(col(Meeting.id), col(Meeting.date), col(Meeting.title), col(Meeting.location))
        .join(Participation, col(Participation.meeting_id) == col(Meeting.id))
        .where(Participation.person_id == person.id, col(Meeting.deleted_at).is_(None))
        .distinct()
        .order_by(col(Meeting.date).desc(), col(Meeting.id).desc())
    ).all()
    return PersonMeetings(
        int(person.id),  # type: ignore[arg-type]
        person.name,
        person.country,
        tuple(person.aliases or ()),
        len(rows),
        tuple(
            (int(m_id or 0), day, title or location)
            for m_id, day, title, location in rows[:latest]
        ),
    )


def plan_merge(keep: str, remove: str, *, session: Session, latest: int = 3) -> MergePlan:
    """What merge_people(keep, remove) would do, for the admin to confirm; writes nothing.

    Refused (RecordError) exactly when merge_people would refuse.
    """
    kept, dropped, _ = _merge_pair(keep, remove, session=session)
    return MergePlan(
        _person_meetings(kept, session=session, latest=latest),
        _person_meetings(dropped, session=session, latest=latest),
    )


def merge_people(
    keep: str, remove: str, *, session: Session, clock: Clock, actor_id: int | None
) -> MergeResult:
    """Join two records of one person: remove's meetings and names move to keep.

    Refused when both took part in the same meeting (then they are two people).
    """
    kept, dropped, moved = _merge_pair(keep, remove, session=session, lock=True)
    before: dict[str, Any] = {
        "keep": _named_snapshot(kept),
        "drop": _named_snapshot(dropped),
        "participations": sorted(int(p.id) for p in moved if p.id is not None),
    }
    known = {name_key(s) for s in (kept.name, *(kept.aliases or ()))}
    aliases = list(kept.aliases or ())
    for spelling in (dropped.name, *(dropped.aliases or ())):
        if name_key(spelling) not in known:
            aliases.append(spelling)
            known.add(name_key(spelling))
    kept.aliases = aliases
    kept.country = kept.country or dropped.country
    assert kept.id is not None  # find_person returns stored rows
    for part in moved:
        part.person_id = kept.id
        session.add(part)
    session.add(kept)
    session.flush()
    session.delete(dropped)
    session.flush()
    write_audit(
        session=session,
        clock=clock,
        actor_id=actor_id,
        action="merge",
        entity="person",
        entity_id=kept.id,
        before=before,
        after={"keep": _named_snapshot(kept), "participations": before["participations"]},
    )
    return MergeResult(
        kept.id,
        kept.name,
        int(before["drop"]["id"]),
        before["drop"]["name"],
        len({p.meeting_id for p in moved}),
    )


def undo_merge(entry: AuditEntry, *, session: Session, clock: Clock, actor_id: int) -> UndoResult:
    """Split a merged person again (called by /undo)."""
    assert entry.before is not None and entry.after is not None
    kept = session.get(Person, entry.entity_id)
    if kept is None or _named_snapshot(kept) != entry.after["keep"]:
        raise ConflictError("That person changed since the merge; undo refused.")
    drop = entry.before["drop"]
    if session.get(Person, drop["id"]) is not None:
        raise ConflictError(f"Person #{drop['id']} exists again; undo refused.")
    current = _named_snapshot(kept)
    session.add(
        Person(id=drop["id"], name=drop["name"], aliases=drop["aliases"], country=drop["country"])
    )
    session.flush()
    ids = entry.before["participations"]
    if ids:
        for part in session.exec(select(Participation).where(col(Participation.id).in_(ids))):
            if part.person_id == kept.id:
                part.person_id = drop["id"]
                session.add(part)
    kept.aliases = list(entry.before["keep"]["aliases"])
    kept.country = entry.before["keep"]["country"]
    session.add(kept)
    session.flush()
    write_audit(
        session=session,
        clock=clock,
        actor_id=actor_id,
        action="undo",
        entity="person",
        entity_id=kept.id,
        before={"keep": current},
        after={"keep": _named_snapshot(kept), "drop": drop},
    )
    return UndoResult("merge", "person", kept.id, f"Split {drop['name']} from {kept.name} again.")

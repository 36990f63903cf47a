"""The daily digest as plain data: meetings added in a window, newest first, grouped by issue.

build_digest reads the meetings created in (since, until] that are not deleted. Rendering is
someone else's job (bot/tg renders HTML, the CLI plain text); this module only decides what goes
in and in which order.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.core.text import format_day, format_month
from bot.core.views import MeetingView, load_meeting_views
from storage.models import Meeting

# More than this many meetings in one digest (a bulk import) would flood the chat; the rest is
# counted, with their dates and a question that lists them (omitted_question).
MAX_DIGEST_MEETINGS = 30

# Grouping by issue helps only when there is something to group.
_GROUP_FROM = 4


@dataclass(frozen=True, slots=True)
class DigestSection:
    """Meetings about one issue (issue is None: ungrouped or "other meetings"), newest first."""

    issue: str | None
    meetings: tuple[MeetingView, ...]


@dataclass(frozen=True, slots=True)
class Digest:
    """What one digest contains: the window it covers and its sections.

    total counts every meeting in the window; when it exceeds the sections' meetings, the
    digest says how many more there are (omitted) and when those met (omitted_dates: the
    earliest and the latest meeting date among them).
    """

    since: dt.datetime
    until: dt.datetime
    digest_date: dt.date | None
    sections: tuple[DigestSection, ...]
    total: int
    omitted_dates: tuple[dt.date, dt.date] | None = None

    @property
    def meetings(self) -> tuple[MeetingView, ...]:
        """Return every meeting shown, in reading order."""
        return tuple(m for section in self.sections for m in section.meetings)

    @property
    def omitted(self) -> int:
        """Return how many meetings of the window are not shown."""
        return self.total - len(self.meetings)

    @property
    def is_empty(self) -> bool:
        """Tell whether no meeting was added in the window."""
        return self.total == 0

    @property
    def grouped(self) -> bool:
        """Tell whether the sections are issues (rather than one plain list)."""
        return any(section.issue is not None for section in self.sections)


def build_digest(
    *,
    session: Session,
    since: dt.datetime,
    until: dt.datetime,
    digest_date: dt.date | None = None,
    limit: int = MAX_DIGEST_MEETINGS,
) -> Digest:
    """Build the digest of the meetings created in (since, until], newest meeting first."""
    rows = session.exec(
        select(col(Meeting.id), col(Meeting.date), col(Meeting.created_at)).where(
            col(Meeting.created_at) > since,
            col(Meeting.created_at) <= until,
            col(Meeting.deleted_at).is_(None),
        )
    ).all()
    ordered = sorted(rows, key=lambda r: (r[1], r[2], r[0]), reverse=True)
    shown = [r[0] for r in ordered[:limit] if r[0] is not None]
    views = load_meeting_views(shown, session=session)
    left_out = [r[1] for r in ordered[limit:]]
    return Digest(
        since=since,
        until=until,
        digest_date=digest_date,
        sections=group_by_issue(views),
        total=len(ordered),
        omitted_dates=(min(left_out), max(left_out)) if left_out else None,
    )


def omitted_question(digest: Digest) -> str | None:
    """Return a question whose answer lists the meetings the digest left out, or None.

    The question names the smallest period the answering core understands (a day, a month, a
    year, or a span of years) that holds every left-out meeting's date; its answer may also
    list older records of that period, never fewer than the ones left out.
    """
    if not digest.omitted or digest.omitted_dates is None:
        return None
    first, last = digest.omitted_dates
    if first == last:
        return f"meetings on {format_day(first)}"
    if (first.year, first.month) == (last.year, last.month):
        return f"meetings in {format_month(first)}"
    if first.year == last.year:
        return f"meetings in {first.year}"
    return f"meetings between {first.year} and {last.year}"


def omitted_note(digest: Digest) -> str:
    """Return "12 more, dated 3 March to 1 May 2024" for the meetings left out ("" for none)."""
    if not digest.omitted:
        return ""
    note = f"{digest.omitted} more"
    if digest.omitted_dates is None:
        return note
    first, last = (format_day(day) for day in digest.omitted_dates)
    return note + (f", dated {first}" if first == last else f", dated {first} to {last}")


def group_by_issue(meetings: list[MeetingView]) -> tuple[DigestSection, ...]:
    """Group meetings (newest first) by the issue they share most, where that helps.

    Few meetings, or none sharing an issue, stay one plain list. Otherwise each meeting joins
    the group of its issue that most meetings share; groups of one go to a last "other" section.
    Groups are ordered by their newest meeting.
    """
    if not meetings:
        return ()
    counts = Counter(issue for m in meetings for issue in dict.fromkeys(m.issues))
    if len(meetings) < _GROUP_FROM or not any(n >= 2 for n in counts.values()):
        return (DigestSection(None, tuple(meetings)),)
    groups: dict[str | None, list[MeetingView]] = {}
    for m in meetings:
        best = max(m.issues, key=lambda issue: counts[issue], default=None)
        key = best if best is not None and counts[best] >= 2 else None
        groups.setdefault(key, []).append(m)
    # A meeting may leave a shared issue's group for a bigger one; a group left with one
    # meeting is no group.
    other = groups.pop(None, [])
    for issue in [k for k, v in groups.items() if len(v) < 2]:
        other.extend(groups.pop(issue))
    if not groups:
        return (DigestSection(None, tuple(meetings)),)
    position = {m.id: i for i, m in enumerate(meetings)}
    sections = [DigestSection(issue, tuple(ms)) for issue, ms in groups.items()]
    sections.sort(key=lambda s: position[s.meetings[0].id])
    if other:
        other.sort(key=lambda m: position[m.id])
        sections.append(DigestSection(None, tuple(other)))
    return tuple(sections)


def format_digest_text(digest: Digest) -> str:
    """Return the digest as plain text, for the command line and logs."""
    if digest.is_empty:
        return "No new meetings."
    lines: list[str] = [f"{digest.total} new meeting{'s' if digest.total != 1 else ''}"]
    for section in digest.sections:
        if digest.grouped:
            lines.append("")
            lines.append(f"== {section.issue or 'Other meetings'} ==")
        for m in section.meetings:
            lines.append("")
            lines.append(f"{format_day(m.date)}  {m.title or ''}".rstrip())
            if m.location:
                lines.append(f"  {m.location}")
            for p in m.participants:
                role = ", ".join(x for x in (p.title, p.organization) if x)
                lines.append(f"  - {p.name}" + (f" ({role})" if role else ""))
            for source in m.sources:
                lines.append(f"  {source}")
    if digest.omitted:
        lines.append("")
        question = omitted_question(digest)
        ask = f': meetbot ask "{question}" lists them' if question else ""
        lines.append(f"…and {omitted_note(digest)}{ask}.")
    return "\n".join(lines)

"""Render a Digest (plain data from bot/core/digest.py) as Telegram HTML messages.

Each meeting is the same compact card the answers use (bot/tg/render.py). A digest longer than
one message is split between cards, never inside one; a section that continues in the next
message repeats its heading there. Lengths are counted like Telegram counts them, in UTF-16 code
units (tg_len): an emoji or a mathematical letter such as 𝐀 counts 2.
"""

from __future__ import annotations

from bot.core.digest import Digest, omitted_note, omitted_question
from bot.core.subscriptions import SubscriptionInfo
from bot.core.text import format_day
from bot.tg.render import MESSAGE_LIMIT, escape, escape_clipped, render_meeting_card, tg_len

OTHER_MEETINGS = "Other meetings"
_HEADING_LIMIT = 200


def _count(n: int) -> str:
    return f"{n} new meeting{'s' if n != 1 else ''}"


def render_digest(
    digest: Digest,
    *,
    empty_day_note: bool = False,
    preview: bool = False,
    limit: int = MESSAGE_LIMIT,
) -> list[str]:
    """Render the digest as messages of at most limit UTF-16 units, split between cards.

    An empty digest is one short note when empty_day_note (or preview) is set, else no message.
    """
    if preview:
        title = "🔎 <b>Digest preview</b>: what the next digest would hold now"
    else:
        day = digest.digest_date or digest.until.date()
        title = f"📰 <b>Meetings digest</b> · {escape(format_day(day))}"
    if digest.is_empty:
        if preview:
            return [f"{title}\n\nNo new meetings since the last digest."]
        return [f"{title}\n\nNo new meetings today."] if empty_day_note else []
    header = f"{title}\n{escape(_count(digest.total))}"
    footer = ""
    if digest.omitted:
        # Tapping the <code> copies the whole command; a bare /ask would send no question.
        question = omitted_question(digest)
        ask = f"; to see them: <code>/ask {escape(question)}</code>" if question else ""
        footer = f"<i>…and {escape(omitted_note(digest))}</i>{ask}"
    parts: list[str] = []
    current: list[str] = [header]
    size = tg_len(header)
    for section in digest.sections:
        heading = ""
        if digest.grouped:
            name = section.issue or OTHER_MEETINGS
            heading = f"🏷 <b>{escape_clipped(name, _HEADING_LIMIT)}</b>"
        for index, meeting in enumerate(section.meetings):
            card = render_meeting_card(meeting)
            unit = f"{heading}\n\n{card}" if heading and index == 0 else card
            if size + 2 + tg_len(unit) > limit:
                parts.append("\n\n".join(current))
                # The section's heading travels with its cards into the next message.
                if heading and index > 0:
                    unit = f"{heading} <i>(continued)</i>\n\n{card}"
                current, size = [unit], tg_len(unit)
            else:
                current.append(unit)
                size += 2 + tg_len(unit)
    if footer:
        if size + 2 + tg_len(footer) > limit:
            parts.append("\n\n".join(current))
            current, size = [footer], tg_len(footer)
        else:
            current.append(footer)
    parts.append("\n\n".join(current))
    assert all(tg_len(part) <= limit for part in parts), "every part must fit one message"
    return parts


def render_subscription(info: SubscriptionInfo | None, *, chat_label: str = "This chat") -> str:
    """Render /subscription: time, zone, next send in local time, options, last delivery."""
    if info is None:
        return (
            f"{escape(chat_label)} has no digest subscription. Subscribe with "
            "/subscribe HH:MM Area/City, for example /subscribe 08:30 Europe/Berlin."
        )
    options = [
        "a note on days without new meetings" if info.empty_day_note else "nothing on empty days",
        "silent" if info.silent else "with sound",
    ]
    if not info.active:
        reason = f" ({escape(info.deactivated_reason)})" if info.deactivated_reason else ""
        return (
            f"{escape(chat_label)} is not subscribed any more{reason}. "
            f"Subscribe again with /subscribe {info.send_time:%H:%M} {escape(info.timezone)}."
        )
    lines = [
        f"{escape(chat_label)} gets the daily digest at <b>{info.send_time:%H:%M}</b> "
        f"{escape(info.timezone)}; {escape(', '.join(options))}.",
    ]
    if info.next_send_local is not None:
        at = info.next_send_local
        zone = escape(at.tzname() or "")
        lines.append(f"Next digest: {escape(format_day(at.date()))}, {at:%H:%M} {zone}.")
    if info.last_date is not None and info.last_status is not None:
        last = f"Last digest: {escape(format_day(info.last_date))}, {escape(info.last_status)}"
        if info.last_status == "failed" and info.last_error:
            last += f" ({escape_clipped(info.last_error, 200)}); it will be retried"
        lines.append(last + ".")
    lines.append("Change it with /subscribe, stop it with /unsubscribe, see what is new: /digest.")
    return "\n".join(lines)

"""Turn the core's plain values into Telegram HTML messages, keyboards and inline results.

Every value from the records or from a user is escaped here and nowhere else. Lengths are
counted on the HTML itself, in UTF-16 units like Telegram; the HTML is never shorter than the
text Telegram counts after parsing the tags, so a page below MESSAGE_LIMIT is always accepted.
A page never cuts a meeting card in half: long answers continue behind a "More" button.

Callback data (at most 64 bytes) is built and parsed here too:
  more:<token>:<offset>   the next page of the answer to the question with this token
  sugg:<token>:<index>    ask again about the index-th suggestion of that answer
  ex:<index>              ask the index-th example question of /start
  pic:<g|t>:<token>       draw the network (g) or the timeline (t) of that question
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode

from bot.core.answering import Answer, Status
from bot.core.pictures import PictureKind, offers_pictures
from bot.core.text import format_day
from bot.core.views import MeetingView, ParticipantView
from bot.tg.commands import BotCommandInfo

MESSAGE_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
# A card never exceeds this, so one card plus the largest header and footer fits a message.
CARD_LIMIT = 3000
HEADLINE_LIMIT = 500
CARDS_PER_PAGE = 5
MAX_SUGGESTIONS = 5
MAX_INLINE_RESULTS = 50  # Telegram's limit for answerInlineQuery

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

EXAMPLE_QUESTIONS = (
    "Who met the OSCE PA president?",
    "When did Ali Naghiyev meet Pia Kauma?",
    "What did Ali Naghiyev and Pia Kauma discuss?",
)

_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "issues": "Issues",
        "source": "Source",
        "sources": "Sources",
        "more": "More",
        "shown": "Meetings {start}–{end} of {total}.",
        "continued": "More on “{question}”",
        "did_you_mean": "Did you mean one of these?",
        "no_more": "There is nothing more to show for this question.",
        "participants_more": "and {count} more",
        "narrow": "{total} meetings fit in all; add a name, a topic or a year to see the others.",
        "graph": "Network",
        "timeline": "Timeline",
    },
    "ru": {
        "issues": "Темы",
        "source": "Источник",
        "sources": "Источники",
        "more": "Ещё",
        "shown": "Встречи {start}–{end} из {total}.",
        "continued": "Ещё по вопросу «{question}»",
        "did_you_mean": "Может быть, вы имели в виду?",
        "no_more": "Больше нечего показать по этому вопросу.",
        "participants_more": "и ещё {count}",
        "narrow": "Всего подходит встреч: {total}; уточните имя, тему или год.",
        "graph": "Сеть встреч",
        "timeline": "Хронология",
    },
}


def labels(language: str) -> dict[str, str]:
    """The interface words in language, English when the language has none."""
    return _LABELS.get(language, _LABELS["en"])


@dataclass(frozen=True, slots=True)
class Page:
    """One message: HTML text within MESSAGE_LIMIT and its inline keyboard, if any."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None
    end: int = 0  # index after the last meeting shown


def escape(text: str) -> str:
    """Escape text for Telegram HTML (&, <, >; quotes too, so it is safe inside attributes)."""
    return html.escape(text, quote=True)


def tg_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram counts (an emoji counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def escape_clipped(text: str, limit: int) -> str:
    """Escape text, cutting it with an ellipsis so the escaped result is at most limit long."""
    text = " ".join(text.split())
    escaped = escape(text)
    if tg_len(escaped) <= limit:
        return escaped
    pieces: list[str] = []
    size = 0
    for char in text:
        piece = escape(char)
        if size + tg_len(piece) > limit - 1:
            break
        pieces.append(piece)
        size += tg_len(piece)
    return "".join(pieces).rstrip() + "…"


def join_blocks(blocks: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join HTML blocks with newlines into messages of at most limit UTF-16 units.

    A block is never split; one longer than limit on its own (blocks are built to fit, so only
    a bug makes one) loses its tags and is clipped rather than cut inside a tag.
    """
    pages: list[str] = []
    current, size = "", 0
    for block in blocks:
        if tg_len(block) > limit:
            block = escape_clipped(html.unescape(re.sub(r"<[^>]+>", "", block)), limit)
        length = tg_len(block)
        if current and size + 1 + length > limit:
            pages.append(current)
            current, size = block, length
        elif current:
            current, size = f"{current}\n{block}", size + 1 + length
        else:
            current, size = block, length
    if current:
        pages.append(current)
    return pages


def question_token(question: str) -> str:
    """A short stable token for a question: it goes into callback data instead of the text."""
    normalized = " ".join(question.split()).casefold()
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()[:12]


def callback_more(token: str, offset: int) -> str:
    """Callback data of the More button."""
    return _checked(f"more:{token}:{offset}")


def callback_suggestion(token: str, index: int) -> str:
    """Callback data of a suggestion button."""
    return _checked(f"sugg:{token}:{index}")


def callback_example(index: int) -> str:
    """Callback data of an example-question button of /start."""
    return _checked(f"ex:{index}")


_PICTURE_CODES = {PictureKind.GRAPH: "g", PictureKind.TIMELINE: "t"}


def callback_picture(kind: PictureKind, token: str) -> str:
    """Callback data of a Network or Timeline button."""
    return _checked(f"pic:{_PICTURE_CODES[kind]}:{token}")


_CALLBACK = re.compile(
    r"^(more|sugg):([0-9a-f]{12}):(\d{1,5})$|^ex:(\d{1,3})$|^pic:([gt]):([0-9a-f]{12})$"
)


@dataclass(frozen=True, slots=True)
class CallbackAction:
    """Parsed callback data: kind is "more", "sugg", "ex", "graph" or "timeline"."""

    kind: str
    token: str
    number: int


def parse_callback(data: str | None) -> CallbackAction | None:
    """Parse callback data built above; None for anything else (old or forged buttons)."""
    match = _CALLBACK.match(data or "")
    if not match:
        return None
    if match.group(4) is not None:
        return CallbackAction("ex", "", int(match.group(4)))
    if match.group(5) is not None:
        kind = next(k for k, code in _PICTURE_CODES.items() if code == match.group(5))
        return CallbackAction(kind.value, match.group(6), 0)
    return CallbackAction(match.group(1), match.group(2), int(match.group(3)))


def _checked(data: str) -> str:
    if len(data.encode("utf-8")) > CALLBACK_DATA_LIMIT:
        raise ValueError(f"callback data over {CALLBACK_DATA_LIMIT} bytes: {data!r}")
    return data


# --- meeting cards -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _CardLevel:
    """How much of a meeting a card shows; later levels are for records with huge fields."""

    participants: int
    name: int
    role: int
    location: int
    issues: int
    sources: int
    url: int


_LEVELS = (
    _CardLevel(participants=10, name=100, role=200, location=150, issues=400, sources=3, url=1000),
    _CardLevel(participants=4, name=60, role=80, location=80, issues=150, sources=1, url=500),
    _CardLevel(participants=3, name=40, role=0, location=60, issues=0, sources=1, url=300),
)


def render_meeting_card(view: MeetingView, *, language: str = "en") -> str:
    """Render one meeting as a compact HTML card: date and place, people, issues, sources.

    The card is at most CARD_LIMIT characters however long the record's fields are.
    """
    for level in _LEVELS:
        card = _card(view, level, labels(language), language)
        if tg_len(card) <= CARD_LIMIT:
            return card
    # Unreachable with the limits above; kept so the bound holds even if they change.
    return f"<b>{format_day(view.date, language)}</b>"


def _card(view: MeetingView, level: _CardLevel, words: dict[str, str], language: str) -> str:
    first = f"📅 <b>{format_day(view.date, language)}</b>"
    if view.location:
        first += f" · {escape_clipped(view.location, level.location)}"
    lines = [first]
    shown = view.participants[: level.participants]
    for person in shown:
        line = f"• <b>{escape_clipped(person.name, level.name)}</b>"
        role = describe_role(person)
        if role and level.role:
            line += f", {escape_clipped(role, level.role)}"
        lines.append(line)
    hidden = len(view.participants) - len(shown)
    if hidden > 0:
        lines.append(f"• <i>{escape(words['participants_more'].format(count=hidden))}</i>")
    if view.issues and level.issues:
        lines.append(
            f"{escape(words['issues'])}: {escape_clipped(', '.join(view.issues), level.issues)}"
        )
    links = [_source_link(url, level.url) for url in view.sources[: level.sources]]
    if links:
        label = words["sources"] if len(links) > 1 else words["source"]
        lines.append(f"{escape(label)}: {', '.join(links)}")
    return "\n".join(lines)


def describe_role(person: ParticipantView) -> str:
    """The role at the meeting: title, then organisation and country unless already named."""
    parts: list[str] = []
    for part in (person.title, person.organization, person.country):
        if part and not any(part.casefold() in seen.casefold() for seen in parts):
            parts.append(part)
    return ", ".join(parts)


def _source_link(url: str, limit: int) -> str:
    """A link named by the site's host; a URL that is not plain http(s) is shown as text."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not host
        or any(c.isspace() for c in url.strip())
        or tg_len(escape(url.strip())) > limit
    ):
        return escape_clipped(url, min(limit, 120))
    name = host.removeprefix("www.")
    return f'<a href="{escape(url.strip())}">{escape_clipped(name, 60)}</a>'


# --- answers -------------------------------------------------------------------------------


def render_answer_page(answer: Answer, *, token: str, offset: int = 0) -> Page:
    """Render the page of answer that starts at meeting index offset.

    The first page starts with the headline; later pages name the question. A "More" button
    follows when meetings remain, and on the first page "Network" and "Timeline" when the
    answer is about one subject with more than a few meetings; suggestions (for a not-found or
    ambiguous answer) come as buttons that ask again.
    """
    words = labels(answer.language)
    total = len(answer.meetings)
    if offset == 0:
        header = f"<b>{escape_clipped(answer.headline, HEADLINE_LIMIT)}</b>"
        notes = [f"<i>{escape_clipped(note, 150)}</i>" for note in answer.notes[:2]]
        header = "\n".join([header, *notes])
    elif offset >= total:
        return Page(escape(words["no_more"]), None, total)
    else:
        question = escape_clipped(answer.question, 200)
        header = f"<i>{words['continued'].format(question=question)}</i>"
    # Reserve room for the longest footer, so adding it never pushes the page over the limit.
    footer_room = tg_len(words["shown"].format(start=99999, end=99999, total=99999)) + 2
    footer_room += tg_len(words["narrow"].format(total=9999999)) + 2
    suggestions = _suggestions(answer) if offset == 0 else ()
    if suggestions:
        footer_room += tg_len(escape(words["did_you_mean"])) + 2
    cards: list[str] = []
    end = offset
    size = tg_len(header) + footer_room
    while end < total and len(cards) < CARDS_PER_PAGE:
        card = render_meeting_card(answer.meetings[end], language=answer.language)
        if cards and size + 2 + tg_len(card) > MESSAGE_LIMIT:
            break
        cards.append(card)
        size += 2 + tg_len(card)
        end += 1
    blocks = [header, *cards]
    paged = offset > 0 or end < total
    if paged:
        blocks.append(escape(words["shown"].format(start=offset + 1, end=end, total=total)))
    if end == total and answer.total > total:
        # The core lists the newest meetings only; say how many more there are.
        blocks.append(escape(words["narrow"].format(total=answer.total)))
    if suggestions:
        blocks.append(escape(words["did_you_mean"]))
    rows: list[list[InlineKeyboardButton]] = [
        [InlineKeyboardButton(_button_text(name), callback_data=callback_suggestion(token, i))]
        for i, name in enumerate(suggestions)
    ]
    if end < total:
        more = f"{words['more']} ({end + 1}–{min(end + CARDS_PER_PAGE, total)} / {total})"
        rows.append([InlineKeyboardButton(more, callback_data=callback_more(token, end))])
    if offset == 0 and offers_pictures(answer):
        rows.append(
            [
                InlineKeyboardButton(
                    words[kind.value], callback_data=callback_picture(kind, token)
                )
                for kind in PictureKind
            ]
        )
    text = "\n\n".join(blocks)
    assert tg_len(text) <= MESSAGE_LIMIT, "a page must fit one message"
    return Page(text, InlineKeyboardMarkup(rows) if rows else None, end)


def _suggestions(answer: Answer) -> tuple[str, ...]:
    if answer.status == Status.ANSWERED:
        return ()
    return tuple(name for name in answer.suggestions if name.strip())[:MAX_SUGGESTIONS]


def suggestion_at(answer: Answer, index: int) -> str | None:
    """The suggestion behind button index of answer's first page, if it is still there."""
    shown = _suggestions(answer)
    return shown[index] if 0 <= index < len(shown) else None


def _button_text(text: str) -> str:
    return clip_plain(text, 60)


def render_inline_results(answer: Answer) -> list[InlineQueryResultArticle]:
    """One inline result per meeting (at most 50): a title, a short description, the card."""
    results = []
    for view in answer.meetings[:MAX_INLINE_RESULTS]:
        names = " & ".join(p.name for p in view.participants[:3]) or (view.title or "Meeting")
        description = " · ".join(
            part
            for part in (
                format_day(view.date),
                view.location,
                ", ".join(filter(None, (describe_role(p) for p in view.participants[:2]))),
            )
            if part
        )
        results.append(
            InlineQueryResultArticle(
                id=f"m{view.id}",
                title=clip_plain(names, 100),
                description=clip_plain(description, 200),
                input_message_content=InputTextMessageContent(
                    render_meeting_card(view, language=answer.language),
                    parse_mode=ParseMode.HTML,
                    link_preview_options=NO_PREVIEW,
                ),
            )
        )
    return results


def clip_plain(text: str, limit: int) -> str:
    """Collapse spaces in plain text and cut it with an ellipsis to at most limit UTF-16 units."""
    text = " ".join(text.split())
    if tg_len(text) <= limit:
        return text
    kept: list[str] = []
    size = 0
    for char in text:
        size += tg_len(char)
        if size > limit - 1:
            break
        kept.append(char)
    return "".join(kept) + "…"


# --- fixed texts ---------------------------------------------------------------------------


def render_welcome(first_name: str | None, bot_username: str) -> Page:
    """The /start message: what the bot does and three example questions as buttons."""
    hello = f"Hello, {escape_clipped(first_name, 64)}!" if first_name else "Hello!"
    text = (
        f"{hello} I answer questions about meetings between officials: who met whom, when, "
        "where and about what, with the source of every answer.\n\n"
        "Ask in plain words, or tap an example below. In a group, use /ask, mention "
        f"@{escape(bot_username)} or reply to my message; in any chat, type "
        f"@{escape(bot_username)} and a question.\n\n/help lists the commands."
    )
    rows = [
        [InlineKeyboardButton(question, callback_data=callback_example(i))]
        for i, question in enumerate(EXAMPLE_QUESTIONS)
    ]
    return Page(text, InlineKeyboardMarkup(rows))


def render_help(commands: Sequence[BotCommandInfo], bot_username: str) -> str:
    """The /help message, built from the registered commands' descriptions."""
    lines = ["<b>Ask me about meetings between officials.</b>", ""]
    lines.append("In a private chat, just write the question.")
    lines.append(
        f"In a group: /ask QUESTION, a message that mentions @{escape(bot_username)}, "
        "or a reply to one of my messages."
    )
    lines.append(f"In any chat: type @{escape(bot_username)} and a question (inline mode).")
    lines.append("")
    everyone = [c for c in commands if c.scope == "all"]
    admin = [c for c in commands if c.scope == "admin"]
    lines.extend(f"/{c.command} — {escape(c.description)}" for c in everyone)
    if admin:
        lines.append("")
        lines.append("<b>Admin commands</b>")
        lines.extend(f"/{c.command} — {escape(c.description)}" for c in admin)
    return "\n".join(lines)


def render_about(version: str, meetings: int) -> str:
    """The /about message: version and how many meetings the database holds."""
    size = "1 meeting" if meetings == 1 else f"{meetings} meetings"
    return (
        f"<b>meetbot {escape(version)}</b>\n"
        "A database of meetings between officials, each with its source.\n"
        f"It holds {size}."
    )

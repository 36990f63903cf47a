"""Read an Article into one Draft per meeting it reports.

The article is cut into paragraphs and sentences; the sentences with a meeting verb ("met",
"received", "held talks", "встретился", "принял") start meetings; each meeting takes the people
of its sentence (with their offices), its date, its place and the issues of the sentences up to
the next meeting. What the article does not say stays empty and is marked in Draft.unsure.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.core.drafts.catalog import Catalog, load_catalog
from bot.core.drafts.dates import find_dates
from bot.core.drafts.issues import find_issues
from bot.core.drafts.model import Article, Draft
from bot.core.drafts.offices import INTERNATIONAL, Office
from bot.core.drafts.people import Mention, people_in
from bot.core.drafts.places import dateline_place, display, place_of, places_in
from bot.core.names import name_key

if TYPE_CHECKING:
    from sqlmodel import Session

_MEETING = re.compile(
    r"\b(?:met|meets|meeting|received|receives|hosted|hosts|"
    r"(?:held|holds|hold) (?:\w+ ){0,2}?(?:talks|consultations|negotiations)|"
    r"консультаци\w+|"
    r"talks with|sat down with|phone (?:call|conversation)|telephone conversation|"
    r"встретил\w*|встреч\w+|принял\w*|принимает|провел\w* переговоры|переговор\w+|"
    r"бесед\w+|телефонн\w+ разговор\w*)\b",
    re.IGNORECASE,
)
# A meeting recalled as background ("had received him in October", "накануне встречался").
_BACKGROUND = re.compile(
    r"\bhad (?:\w+ )?(?:met|received|hosted|held)\b|\b(?:накануне|ранее)\b", re.IGNORECASE
)
_PHONE = re.compile(
    r"\b(?:phone|telephone|video) (?:call|conversation|talks)|телефонн\w+ разговор\w*|"
    r"по телефону|видеоконференц\w+",
    re.IGNORECASE,
)
_NEW_MEETING = re.compile(
    r"\b(?:also|later|separately|earlier|then|another|также|затем|позднее|позже|отдельн\w+|"
    r"в тот же день)\b",
    re.IGNORECASE,
)
_PRONOUN_SUBJECT = re.compile(r"^(?:\w+,\s*)*(?:he|she|они|он|она)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"»”]?\s+(?=[A-ZА-ЯЁ\"«“])")
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


@dataclass
class _Meeting:
    first_sentence: int
    people: list[Mention] = field(default_factory=list)
    sentences: list[int] = field(default_factory=list)


def _sentences(text: str) -> list[tuple[int, str]]:
    """(paragraph index, sentence) of the text, paragraphs split at blank lines."""
    out: list[tuple[int, str]] = []
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    for index, paragraph in enumerate(paragraphs):
        for sentence in _SENTENCE_END.split(" ".join(paragraph.split())):
            if sentence.strip():
                out.append((index, sentence.strip()))
    return out


def _is_russian(text: str) -> bool:
    letters = re.findall(r"[^\W\d_]", text)
    return bool(letters) and len(_CYRILLIC.findall(text)) > len(letters) / 3


def _mentions(sentence: str, russian: bool, catalog: Catalog) -> list[Mention]:
    if russian:
        from bot.core.drafts.people_ru import people_in_russian

        return people_in_russian(sentence)
    return people_in(sentence, catalog)


def _surname_in(person: Mention, sentence: str) -> bool:
    """Whether a sentence names a person by surname alone ("Later, Pashinyan also met")."""
    words = person.name.split()
    if len(words) < 2:
        return False
    stem = words[-1][:-2] if re.search(r"[а-яё]$", words[-1]) and len(words[-1]) > 5 else words[-1]
    return re.search(rf"\b{re.escape(stem)}\w*", sentence) is not None


def _same(a: Mention, b: Mention) -> bool:
    ka, kb = name_key(a.name).split(), name_key(b.name).split()
    return ka == kb or (bool(ka) and bool(kb) and ka[-1] == kb[-1])


def _group(sentences: list[tuple[int, str]], mentions: list[list[Mention]]) -> list[_Meeting]:
    meetings: list[_Meeting] = []
    for index, (paragraph, sentence) in enumerate(sentences):
        people = mentions[index]
        if meetings:
            meetings[-1].sentences.append(index)
        if not _MEETING.search(sentence):
            continue
        if not meetings:
            if not people:
                continue  # a headline or an aside: no one to meet
            meeting = _Meeting(index, list(people), [index])
            meetings.append(meeting)
            continue
        known = [m for meeting in meetings for m in meeting.people]
        new = [p for p in people if p.office and not any(_same(p, k) for k in known)]
        current = meetings[-1]
        same_paragraph = sentences[current.first_sentence][0] == paragraph
        if new and (not same_paragraph or _NEW_MEETING.search(sentence)):
            host = [p for p in people if any(_same(p, k) for k in known)]
            host += [
                k for k in known if _surname_in(k, sentence) and not any(_same(k, h) for h in host)
            ]
            if not host and _PRONOUN_SUBJECT.match(sentence) and meetings[0].people:
                host = [meetings[0].people[0]]
            if len(host + new) < 2 or _BACKGROUND.search(sentence):
                continue  # one person, or an earlier meeting recalled: no meeting of its own
            current.sentences.pop()
            meetings.append(_Meeting(index, host + new, [index]))
        else:
            current.people.extend(p for p in people if not any(_same(p, k) for k in known))
    if meetings and len(meetings[0].people) < 2:
        # A meeting sentence without both sides: take the titled people of its paragraph.
        first = meetings[0]
        paragraph = sentences[first.first_sentence][0]
        for index, (p_index, _) in enumerate(sentences):
            if p_index == paragraph:
                for person in mentions[index]:
                    if person.office and not any(_same(person, k) for k in first.people):
                        first.people.append(person)
    return meetings


def _merge_offices(people: list[Mention], all_mentions: list[Mention]) -> list[Mention]:
    """One mention per person, with the first office the article gives them anywhere."""
    out: list[Mention] = []
    for person in people:
        if any(_same(person, done) for done in out):
            continue
        office = person.office or next(
            (m.office for m in all_mentions if m.office and _same(m, person)), None
        )
        out.append(Mention(person.name, person.start, person.end, office))
    return out


def _date(
    meeting: _Meeting, sentences: list[tuple[int, str]], article: Article, dateline: str
) -> tuple[dt.date | None, str | None]:
    """The meeting's own date (its sentence), else the dateline's, else one in its other
    sentences, else the publication date (marked); each resolved against the publication."""
    reference = article.published
    heading = [
        m for m in find_dates(dateline, reference) if m.start <= 40 and m.date and not m.relative
    ][:1]
    reference = reference or (heading[0].date if heading else None)

    def own(index: int) -> dt.date | None:
        text = sentences[index][1]
        for mention in find_dates(text, reference):
            if heading and text == dateline and mention.start == heading[0].start:
                continue  # the dateline's date is the report's, used below
            if mention.date is not None and (reference is None or mention.date <= reference):
                return mention.date
        return None

    found = own(meeting.first_sentence)
    if found is None and heading:
        found = heading[0].date
    for index in meeting.sentences:
        found = found or own(index)
    if found is not None:
        return found, None
    if article.published:
        return article.published, "the article gives no date of its own: its publication date"
    texts = [dateline, *(sentences[i][1] for i in [meeting.first_sentence, *meeting.sentences])]
    if any(m.date is None and not m.relative for t in texts for m in find_dates(t, None)):
        return None, "the article gives the day without its year (give the publication date)"
    if any(m.relative for t in texts for m in find_dates(t, None)):
        return None, "the article says when relative to its publication date, which is unknown"
    return None, "not in the article"


def _participant(
    person: Mention, catalog: Catalog, index: int, unsure: dict[str, str], known: dict[int, int]
) -> dict[str, Any]:
    office = person.office or Office("", None, None)
    name = person.name
    country = office.country
    stored = catalog.person(name)
    if stored is not None:
        known[index] = stored.id
        name = stored.name
        if country is None and stored.country:
            country = stored.country.lower()
            unsure[f"participants[{index}].country"] = "from the stored person, not the article"
    organization = office.organization
    if organization:
        stored_org = catalog.organization(organization)
        if stored_org is not None:
            organization = stored_org[0]
            if country is None and stored_org[1]:
                country = stored_org[1].lower()
                unsure[f"participants[{index}].country"] = "from the organisation"
    if not office.role:
        unsure[f"participants[{index}].title"] = "the article gives no office"
    if not organization:
        unsure[f"participants[{index}].organization"] = "the article names none"
    if not country:
        unsure[f"participants[{index}].country"] = "the article does not say"
    return {
        "name": name,
        "title": office.role or None,
        "organization": organization,
        "country": display(country) if country else None,
    }


_INTERNATIONAL = re.compile(
    r"\b(?:European|Europe|United Nations|World|International|Organi[sz]ation for|"
    r"Европ\w*|Международн\w*|ООН|ОБСЕ|МККК|НАТО|ЕС|ПАСЕ|СНГ|ШОС|ОДКБ|ЕАЭС|"
    + "|".join(sorted(INTERNATIONAL, key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)
_POSTING = re.compile(r"\b(?:ambassador|посол)\b.*?\b(?:to|в)\s+(?:the\s+)?(?P<place>\w+)", re.I)


def _guess_host_country(
    participants: list[dict[str, Any]], location: str | None, unsure: dict[str, str]
) -> None:
    """Give the host (the first national official without a country) the country of the
    meeting's place, or of an ambassador's posting; marked as a guess."""
    country, why = None, ""
    if location:
        country, why = location.split(", ")[-1], "guessed from the meeting's place"
    for person in participants:
        posting = _POSTING.search(person.get("title") or "")
        if country is None and posting:
            found = place_of(posting["place"])
            if found and "," not in found:
                country, why = found, "guessed from the ambassador's posting"
    if country is None or any(p.get("country") == country for p in participants):
        return
    for index, person in enumerate(participants):
        described = f"{person.get('title') or ''} {person.get('organization') or ''}"
        if person.get("country") or not person.get("title") or _INTERNATIONAL.search(described):
            continue
        person["country"] = country
        unsure[f"participants[{index}].country"] = why
        return


def _title(
    article: Article, participants: list[dict[str, Any]], russian: bool, single: bool
) -> str | None:
    names = [p["name"] for p in participants if p.get("name")]
    headline = article.title or ""
    named = [n for n in names if re.search(rf"\b{re.escape(n.split()[-1][:5])}", headline)]
    if single and headline and (_MEETING.search(headline) or len(named) >= 2):
        return headline.strip()  # the headline names the meeting
    if len(names) >= 2:
        if russian:
            return f"Встреча: {names[0]} и {', '.join(names[1:])}"
        return f"{names[0]} meets {' and '.join(names[1:])}"
    return article.title


def extract_drafts(article: Article, *, session: Session | None = None) -> list[Draft]:
    """One Draft per meeting the article reports (none when it names no meeting or person)."""
    catalog = load_catalog(session)
    text = article.text.strip()
    russian = _is_russian(text)
    sentences = _sentences(text)
    if not sentences:
        return []
    mentions = [_mentions(sentence, russian, catalog) for _, sentence in sentences]
    flat = [m for ms in mentions for m in ms]
    meetings = _group(sentences, mentions) or [_Meeting(0, flat[:2], list(range(len(sentences))))]
    head_lines = [s for p, s in sentences if p <= 1][:3]
    dateline = next((s for s in head_lines if dateline_place(s)), sentences[0][1])
    dateline_at = dateline_place(dateline)
    drafts: list[Draft] = []
    for meeting in meetings:
        unsure: dict[str, str] = {}
        known: dict[int, int] = {}
        date, why = _date(meeting, sentences, article, dateline)
        if why:
            unsure["date"] = why
        # A country alone ("the Ambassador of Japan to Azerbaijan") is no meeting place.
        cities = [p for p in places_in(sentences[meeting.first_sentence][1]) if "," in p]
        location = next(iter(cities), None) or dateline_at
        if location is None:
            for index in meeting.sentences:
                found = [p for p in places_in(sentences[index][1]) if "," in p]
                if found:
                    location = found[0]
                    unsure["location"] = "a place the article names near the meeting"
                    break
        if _PHONE.search(sentences[meeting.first_sentence][1]):
            location = None  # the dateline is the reporter's, not the call's
            unsure["location"] = "a phone call: no place"
        elif location is None:
            unsure["location"] = "the article names no place"
        people = _merge_offices(meeting.people, flat)
        participants = [_participant(p, catalog, i, unsure, known) for i, p in enumerate(people)]
        _guess_host_country(participants, location, unsure)
        body = (
            [sentences[i][1] for i in meeting.sentences]
            if len(meetings) > 1
            else [s for _, s in sentences]
        )
        # Offices are no topics ("Minister of Foreign Affairs and Trade" is not trade).
        plain = " ".join(body)
        for person in people:
            for segment in person.office.role.split("; ") if person.office else ():
                plain = plain.replace(segment, " ")
        issues = find_issues(plain, body, catalog)
        if not issues:
            unsure["issues"] = "the article names no topic"
        if not article.url:
            unsure["source"] = "no link given"
        draft_meeting: dict[str, Any] = {
            "date": date.isoformat() if date else None,
            "location": location,
            "title": _title(article, participants, russian, len(meetings) == 1),
            "summary": None,
            "source": article.url,
            "participants": participants,
            "issues": issues,
        }
        drafts.append(Draft(meeting=draft_meeting, unsure=unsure, known_people=known))
    return drafts

"""The words of an answer: headlines a person would write, in English or Russian.

headline_for(question, ...) turns the meetings found into one sentence that answers the
question as asked; format_meeting gives one meeting as plain text. No database here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.core.questions import Intent, Question
from bot.core.text import format_day
from bot.core.views import MeetingView

MAX_DATES = 6  # dates or places a headline lists before it counts the rest
MAX_MEETINGS_SPELLED = 3  # above this a who-met headline counts people instead of listing

TEXTS = {
    "en": {
        "ambiguous": "“{label}” could be several people: {names}. Which one do you mean?",
        "unknown": "I have no records matching “{what}”.",
        "yes": "Yes: ",
        "no": "No: ",
        "or": " or ",
        "unused": "I could not use {words}.",
        "quoted": "“{what}”",
        "rest": "Without it: ",
        "mentioned_only": "No meeting lists {what} among its issues, but titles or summaries "
        "mention it: ",
        "mentioning": " mentioning {what}",
        "not_all_topics": "No meeting was about all of {what}; about any of them: ",
        "thanks_reply": "You're welcome! Ask me anything else about meetings.",
        "small_talk": "Hello! Ask me about meetings, e.g. “who met the OSCE PA president?” "
        "or “what did Naghiyev and Kauma discuss?”",
        "ignored": "not used: {words}",
        "did_you_mean": "Did you mean: {names}?",
        "no_subject": "I could not tell whom or what the question is about. "
        "Try “who met the OSCE PA president?”",
        "none": "I found no meeting{what}{when} in my records.",
        "n_meetings": "{n} meeting{s}",
        "of": " of {who}",
        "about": " about {what}",
        "in": " in {where}",
        "outside": "outside {where}",
        "abroad": "abroad",
        "met_by": "{others} met {subjects}{times} ({date})",
        "met_each_other": "{subjects} met{times} ({date}), with nobody else recorded",
        "met_each_other_once": "{subjects} met on {date}, with nobody else recorded",
        "met_on": "{subjects} met {others} on {date}",
        "met_many": "{subjects} met {people} in {meetings} meetings ({years}); the latest: "
        "{date}, {others}.",
        "and_more": " and {n} more",
        "with": " with ",
        "times": " {n} times",
        "more_meetings": "; and {n} more meetings",
        "no_role": "no role recorded",
        "issues": "Issues",
        "source": "Source",
        "not_recorded": "not recorded",
        "as": " as ",
        "the": "the ",
        "read_as": "“{typed}” read as {label}",
        "latest": "The latest meeting{of}{when}: {date}{place}, {people}.",
        "first": "The first meeting{of}{when} in the records: {date}{place}, {people}.",
        "when": "{subjects} met on {dates}.",
        "where": "{subjects} met in {places}.",
        "discussed": "{people} discussed {issues} ({date})",
        "nobody_else": "nobody else recorded",
        "no_place": "a place not recorded",
        "no_topics": "no recorded topics",
        "and": " and ",
    },
    "ru": {
        "ambiguous": "«{label}» — это может быть несколько человек: {names}. "
        "Кого вы имеете в виду?",
        "unknown": "В моих записях нет ничего о «{what}».",
        "yes": "Да: ",
        "no": "Нет: ",
        "or": " или ",
        "unused": "Не удалось учесть: {words}.",
        "quoted": "«{what}»",
        "rest": "Без этого: ",
        "mentioned_only": "Ни у одной встречи нет темы {what}, но она упоминается в заголовках "
        "или описаниях: ",
        "mentioning": " с упоминанием: {what}",
        "not_all_topics": "Ни одна встреча не касалась сразу всех тем ({what}); "
        "встречи по любой из них: ",
        "thanks_reply": "Пожалуйста! Спрашивайте ещё о встречах.",
        "small_talk": "Здравствуйте! Спросите меня о встречах, например: "
        "«кто встречался с президентом ПА ОБСЕ?»",
        "ignored": "не учтено: {words}",
        "did_you_mean": "Возможно, вы имели в виду: {names}?",
        "no_subject": "Не понял, о ком или о чём вопрос. Например: «кто встречался с Пиа Каума?»",
        "none": "Встреч{what}{when} в моих записях нет.",
        "n_meetings": "Встреч: {n}",
        "of": " ({who})",
        "about": " на тему {what}",
        "in": " ({where})",
        "outside": "за пределами: {where}",
        "abroad": "за рубежом",
        "met_by": "{others} — встреча с {subjects}{times} ({date})",
        "met_each_other": "{subjects}: встреч{times_ru} ({date}), других участников нет в записях",
        "met_each_other_once": "{subjects}: встреча {date}, других участников нет в записях",
        "met_on": "{subjects} — встреча с {others}: {date}",
        "met_many": "{subjects}: собеседников: {people}, встреч: {meetings} ({years}); последняя: "
        "{date}, {others}.",
        "and_more": " и ещё {n}",
        "with": " с ",
        "times": ", встреч: {n}",
        "more_meetings": "; и ещё встреч: {n}",
        "no_role": "должность не указана",
        "issues": "Темы",
        "source": "Источник",
        "not_recorded": "не указан",
        "as": " в роли ",
        "the": "",
        "read_as": "«{typed}» понято как {label}",
        "latest": "Последняя встреча{of}{when}: {date}{place}, {people}.",
        "first": "Первая встреча{of}{when} в записях: {date}{place}, {people}.",
        "when": "{subjects}: встречи {dates}.",
        "where": "{subjects}: место встречи — {places}.",
        "discussed": "{people} обсуждали: {issues} ({date})",
        "nobody_else": "других участников нет в записях",
        "no_place": "место не указано",
        "no_topics": "темы не записаны",
        "and": " и ",
    },
}


def t(question: Question, key: str, **values: object) -> str:
    """The sentence `key` in the question's language, filled with values."""
    table = TEXTS.get(question.language, TEXTS["en"])
    return table[key].format(**values)


def names_list(names: list[str], question: Question, *, joiner: str = "and") -> str:
    """'A', 'A and B', 'A, B and C' in the question's language (joiner "or": 'A, B or C')."""
    last = TEXTS.get(question.language, TEXTS["en"])[joiner]
    names = list(dict.fromkeys(names))
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + last + names[-1]


def names_either(names: list[str], question: Question) -> str:
    """'A', 'A or B', 'A, B or C' in the question's language."""
    return names_list(names, question, joiner="or")


def join_labels(labels: list[str], question: Question) -> str:
    """The labels of the resolved parts of a question, joined by 'and'."""
    return names_list(labels, question) or "any kind"


def when_text(question: Question) -> str:
    return f" {question.window.describe(question.language)}" if question.window else ""


def _limited(items: list[str], question: Question) -> str:
    if len(items) <= MAX_DATES:
        return names_list(items, question)
    shown = ", ".join(items[:MAX_DATES])
    return shown + t(question, "and_more", n=len(items) - MAX_DATES)


def _years(views: tuple[MeetingView, ...]) -> str:
    first, last = min(v.date.year for v in views), max(v.date.year for v in views)
    return str(first) if first == last else f"{first}–{last}"


Sides = tuple[str, str]  # who a sentence is about, and whom they met


def headline_for(
    question: Question,
    parts: Sequence[tuple[str, str, list[str]]],
    views: tuple[MeetingView, ...],
    total: int,
    subjects: dict[int, list[str]],
) -> str:
    """One sentence that answers the question as asked.

    parts are the resolved parts of the question as (label, kind, the people found through
    it); subjects maps each meeting to the people it was found through (the holder of "the
    OSCE PA president").
    """
    alternatives = any(t(question, "or") in label for label, _kind, _people in parts)
    all_subjects = list(dict.fromkeys(n for v in views for n in subjects.get(v.id, [])))
    people_labels = [label for label, kind, _people in parts if kind == "entity"]
    who = names_list(people_labels if alternatives else all_subjects, question)
    # "3 meetings of A with B, C or D": the first part's people, then each other part's.
    entity_parts = [(label, people) for label, kind, people in parts if kind == "entity"]
    who_with = who
    if entity_parts:
        first_label, first_people = entity_parts[0]
        join = names_either if t(question, "or") in first_label else names_list
        who_with = join(first_people or [first_label], question)
        for label, people in entity_parts[1:]:
            who_with += t(question, "with") + names_either(people or [label], question)
    issues = [label for label, kind, _people in parts if kind == "issue"]
    mentions = [label for label, kind, _people in parts if kind == "mention"]
    places = [label for label, kind, _people in parts if kind == "place"]
    beyond = "".join(f" {label}" for label, kind, _people in parts if kind == "beyond")
    when = when_text(question)

    def others(view: MeetingView) -> list[str]:
        mine = subjects.get(view.id, [])
        return [p.name for p in view.participants if p.name not in mine]

    def everyone(view: MeetingView) -> str:
        return names_list([p.name for p in view.participants], question)

    def dates_by(
        side: Callable[[MeetingView], tuple[str, str]],
    ) -> dict[tuple[str, str], list[str]]:
        """The meetings' dates grouped by their two sides, for one sentence a pair."""
        grouped: dict[Sides, list[str]] = {}
        for v in views:
            grouped.setdefault(side(v), []).append(format_day(v.date, question.language))
        return grouped

    intent = question.intent
    if (question.wants_latest or question.wants_first) and views:
        # The one meeting asked for: the latest, or the first in the records.
        only = views[0]
        return t(
            question,
            "latest" if question.wants_latest else "first",
            of=t(question, "of", who=who) if who else "",
            when=when,
            date=format_day(only.date, question.language),
            place=f", {only.location}" if only.location else "",
            people=everyone(only),
        )
    if intent is Intent.WHO_IS and all_subjects:
        return _roles_held(question, all_subjects, views)
    if intent is Intent.WHEN and total <= MAX_MEETINGS_SPELLED and not alternatives:
        # Who it was found through and whom they met, one sentence a pair of sides: "Grossi
        # met Zelensky on 30 August 2022", "Vitorino met Aliyev on 1 March 2023; Swing ...".
        # A meeting found by its topic or place has no sides: its people simply met.
        sides = dates_by(
            lambda v: (
                names_list(subjects.get(v.id) or [p.name for p in v.participants], question),
                names_list(others(v), question) if subjects.get(v.id) else "",
            )
        )
        return "; ".join(
            t(question, "met_on" if met else "when", subjects=found_by, others=met,
              date=names_list(dates, question), dates=names_list(dates, question)).rstrip(".")
            for (found_by, met), dates in sides.items()
        ) + "."  # fmt: skip
    if intent is Intent.WHEN and all_subjects:
        dates = _limited([format_day(v.date, question.language) for v in views], question)
        return t(question, "when", subjects=who, dates=dates)
    if intent is Intent.WHERE and all_subjects:
        places_seen = [
            f"{v.location or t(question, 'no_place')} ({format_day(v.date, question.language)})"
            for v in views
        ]
        return t(question, "where", subjects=who, places=_limited(places_seen, question))
    if intent is Intent.WHAT_DISCUSSED:
        sentences = [
            t(
                question,
                "discussed",
                people=everyone(v),
                issues=", ".join(v.issues) or t(question, "no_topics"),
                date=format_day(v.date, question.language),
            )
            for v in views[:MAX_MEETINGS_SPELLED]
        ]
        more = total - len(sentences)
        tail = t(question, "more_meetings", n=more) if more > 0 else ""
        return "; ".join(sentences) + tail + "."
    if intent is Intent.WHO_MET and all_subjects and not alternatives:
        if not any(others(v) for v in views):
            # "Who did Grossi and Araghchi meet?": only each other, as far as the records go.
            dates = _limited([format_day(v.date, question.language) for v in views], question)
            times_ru = f" {total}" if total > 1 else "а"
            wording = "met_each_other" if total > 1 else "met_each_other_once"
            return t(question, wording, subjects=who, times=_times(question, total),
                     times_ru=times_ru, date=dates) + "."  # fmt: skip
        if total <= MAX_MEETINGS_SPELLED:
            # One sentence a pair, however often they met: "A met B twice (date, date)".
            pairs = dates_by(
                lambda v: (
                    names_list(others(v), question) or t(question, "nobody_else"),
                    names_list(subjects[v.id], question),
                )
            )
            return "; ".join(
                t(question, "met_by", others=who_met, subjects=met,
                  times=_times(question, len(dates)), date=", ".join(dates))
                for (who_met, met), dates in pairs.items()
            ) + "."  # fmt: skip
        met = list(dict.fromkeys(n for v in views for n in others(v)))
        latest = views[0]
        return t(
            question,
            "met_many",
            subjects=who,
            people=_people_count(question, len(met)),
            meetings=total,
            years=_years(views),
            date=format_day(latest.date, question.language),
            others=names_list(others(latest), question) or t(question, "nobody_else"),
        )
    summary = t(question, "n_meetings", n=total, s="" if total == 1 else "s")
    if who_with:
        summary += t(question, "of", who=who_with)
    if issues:
        summary += t(question, "about", what=names_list(issues, question))
    if mentions:
        summary += t(question, "mentioning", what=names_list(mentions, question))
    if places:
        summary += t(question, "in", where=names_list(places, question))
    return summary + beyond + when + "."


def _people_count(question: Question, n: int) -> str:
    if question.language != "en":
        return str(n)
    return "one person" if n == 1 else f"{n} people"


def _times(question: Question, n: int) -> str:
    if n <= 1:
        return ""
    return " twice" if n == 2 and question.language == "en" else t(question, "times", n=n)


def _roles_held(question: Question, names: list[str], views: tuple[MeetingView, ...]) -> str:
    """'Dorin Vasca: Minister of Foreign Affairs of Moldova (2019); President of Moldova
    (2023–2024).'"""
    sentences = []
    for name in names:
        spans: dict[str, list[str]] = {}
        for view in sorted(views, key=lambda v: v.date):
            for p in view.participants:
                if p.name == name and p.title:
                    spans.setdefault(p.title, []).append(format_day(view.date, question.language))
        roles = [
            f"{title} ({dates[0]}" + (f" – {dates[-1]})" if dates[-1] != dates[0] else ")")
            for title, dates in spans.items()
        ]
        held = "; ".join(roles) or t(question, "no_role")
        sentences.append(f"{name}: {held}")
    return ". ".join(sentences) + "."


def format_meeting(view: MeetingView, *, with_summary: bool = False, language: str = "en") -> str:
    """Return one meeting as plain text: date and place, people and roles, issues, source."""
    words = TEXTS.get(language, TEXTS["en"])
    lines = [f"{format_day(view.date, language)} · {view.location or words['no_place']}"]
    if view.title:
        lines[0] += f" — {view.title}"
    for p in view.participants:
        role = ", ".join(x for x in (p.title, p.country) if x)
        lines.append(f"  • {p.name}" + (f" — {role}" if role else ""))
    if view.issues:
        lines.append(f"  {words['issues']}: " + ", ".join(view.issues))
    if with_summary and view.summary:
        lines.append("  " + view.summary)
    sources = ", ".join(view.sources) if view.sources else words["not_recorded"]
    lines.append(f"  {words['source']}: {sources}")
    return "\n".join(lines)

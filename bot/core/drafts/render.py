"""Drafts in the import format: YAML with the unsure fields as comments, or JSON with a field.

A required field the article does not give (the date, a participant's name) stays present and
empty, so `meetbot import` refuses the draft by its path ("meetings[0].date: required") rather
than saving a guess; the comment beside it says why it is empty. An optional field the article
does not give (the place, the summary) is written commented out: an empty value would clear
what a stored meeting holds when the draft is imported over it, a missing one keeps it.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from bot.core.drafts.model import Draft

MEETING_KEYS = ("date", "location", "title", "summary", "source")
PARTICIPANT_KEYS = ("name", "title", "organization", "country")
REQUIRED_KEYS = ("date", "name")


def _scalar(value: Any) -> str:
    """One YAML scalar on one line, quoted only when YAML needs it; None is empty."""
    if value is None:
        return ""
    # One line: a draft's values are one-liners, and the comments go after them.
    value = " ".join(str(value).split())
    dumped: str = yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, width=1_000_000
    )
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def _line(indent: str, key: str, value: Any, why: str | None) -> str:
    if value in (None, "") and key not in REQUIRED_KEYS:
        # Left out rather than empty, so importing the draft over a stored meeting keeps it.
        return f"{' ' * len(indent)}# {key}:" + (f"  # {why}" if why else "")
    text = f"{indent}{key}: {_scalar(value)}".rstrip()
    if why:
        text += f"  # unsure: {why}" if value not in (None, "", []) else f"  # {why}"
    return text


def _meeting_yaml(draft: Draft) -> list[str]:
    meeting, unsure = draft.meeting, draft.unsure
    lines: list[str] = []
    first = True
    for key in MEETING_KEYS:
        if key not in meeting and key not in unsure and key not in REQUIRED_KEYS:
            continue
        indent = "  - " if first else "    "
        first = False
        lines.append(_line(indent, key, meeting.get(key), unsure.get(key)))
    lines.append("    participants:" + ("" if meeting.get("participants") else " []"))
    for p_index, participant in enumerate(meeting.get("participants") or []):
        person_id = draft.known_people.get(p_index)
        if person_id is not None:
            lines.append(f"      # participants[{p_index}]: a stored person (id {person_id})")
        p_first = True
        for key in PARTICIPANT_KEYS:
            path = f"participants[{p_index}].{key}"
            if key not in participant and path not in unsure and key not in REQUIRED_KEYS:
                continue
            indent = "      - " if p_first else "        "
            p_first = False
            lines.append(_line(indent, key, participant.get(key), unsure.get(path)))
        aliases = participant.get("aliases")
        if aliases:
            lines.append("        aliases: [" + ", ".join(_scalar(a) for a in aliases) + "]")
    issues = meeting.get("issues") or []
    # No issues found: commented out like an empty place, since `issues: []` would clear them.
    issues_line = "    issues:" if issues else "    # issues:"
    if unsure.get("issues"):
        issues_line += f"  # unsure: {unsure['issues']}"
    lines.append(issues_line)
    lines.extend(f"      - {_scalar(issue)}" for issue in issues)
    return lines


def drafts_to_yaml(drafts: list[Draft]) -> str:
    """The drafts as one import file (meetings only), unsure and missing fields commented."""
    lines = ["# Drafted from an article: check every field, above all those marked, then import."]
    lines.append("meetings:" + ("" if drafts else " []"))
    for draft in drafts:
        lines.extend(_meeting_yaml(draft))
    return "\n".join(lines) + "\n"


def drafts_to_json(drafts: list[Draft]) -> str:
    """The drafts as JSON: {"meetings": [...], "unsure": [{path: why}, ...], "known_people"}."""
    document = {
        "meetings": [draft.meeting for draft in drafts],
        "unsure": [draft.unsure for draft in drafts],
        "known_people": [
            {str(index): person for index, person in draft.known_people.items()}
            for draft in drafts
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n"

"""Write the export shape of the import format: every live meeting and the alias sections."""

from __future__ import annotations

import json
from typing import Any, Literal

import yaml
from sqlmodel import Session

from bot.core.interchange.parse import _Dumper
from bot.core.schema import fold
from storage import repository
from storage.models import Issue, Meeting, Organization, Person

_Row = tuple[Person, str | None, Organization | None, str | None]


def _meeting_dict(
    meeting: Meeting, rows: tuple[list[_Row], list[str]], mode: Literal["json", "python"]
) -> dict[str, Any]:
    """Return a meeting in the import format, leaving out what it does not have."""
    people, issues = rows
    out: dict[str, Any] = {}
    if meeting.external_id is not None:
        out["id"] = meeting.external_id
    out["date"] = meeting.date.isoformat() if mode == "json" else meeting.date
    for name in ("location", "title", "summary"):
        if (value := getattr(meeting, name)) is not None:
            out[name] = value
    if meeting.sources:
        out["source"] = meeting.sources[0] if len(meeting.sources) == 1 else list(meeting.sources)
    out["participants"] = [_participant_dict(*row) for row in people]
    if issues:
        out["issues"] = list(issues)
    return out


def _participant_dict(
    person: Person, title: str | None, org: Organization | None, country: str | None
) -> dict[str, Any]:
    out: dict[str, Any] = {"name": person.name}
    if title is not None:
        out["title"] = title
    if org is not None:
        out["organization"] = org.name
    if country is not None:
        out["country"] = country
    if person.aliases:
        out["aliases"] = list(person.aliases)
    return out


def live_meetings(
    *, session: Session
) -> tuple[list[tuple[Meeting, list[_Row], list[str]]], dict[int, Organization], dict[int, Issue]]:
    """Every live meeting by date then age, with its people (person, title, organisation,
    country) in order and its issue names; also the organisations and issues by id."""
    people = {p.id: p for p in repository.list_people(session=session)}
    orgs = {o.id: o for o in repository.list_organizations(session=session) if o.id is not None}
    issues = {i.id: i for i in repository.list_issues(session=session) if i.id is not None}
    meetings = repository.list_live_meetings(session=session)
    ids = [m.id for m in meetings if m.id is not None]
    parts = repository.list_participations(ids, session=session)
    labels = repository.list_meeting_issues(ids, session=session)
    out = []
    for meeting in meetings:
        assert meeting.id is not None
        rows: list[_Row] = [
            (
                people[p.person_id],
                p.title,
                orgs[p.organization_id] if p.organization_id is not None else None,
                p.country,
            )
            for p in parts.get(meeting.id, [])
        ]
        out.append((meeting, rows, [issues[i.issue_id].name for i in labels.get(meeting.id, [])]))
    return out, orgs, issues


def build_export(
    *, session: Session, mode: Literal["json", "python"] = "python"
) -> dict[str, Any]:
    """Return the live catalog as an import document (a dict), meetings by date then age."""
    meetings, orgs, issues = live_meetings(session=session)
    out_meetings = [_meeting_dict(m, (rows, names), mode) for m, rows, names in meetings]
    doc: dict[str, Any] = {"meetings": out_meetings}
    org_entries = []
    for org in sorted(orgs.values(), key=lambda o: (fold(o.name), o.name)):
        if org.aliases or org.country:
            entry: dict[str, Any] = {"name": org.name}
            if org.aliases:
                entry["aliases"] = list(org.aliases)
            if org.country:
                entry["country"] = org.country
            org_entries.append(entry)
    if org_entries:
        doc["organizations"] = org_entries
    issue_entries = [
        {"name": issue.name, "aliases": list(issue.aliases)}
        for issue in sorted(issues.values(), key=lambda s: (fold(s.name), s.name))
        if issue.aliases
    ]
    if issue_entries:
        doc["issues"] = issue_entries
    return doc


ExportFormat = Literal["yaml", "json", "csv"]


def export_catalog(*, session: Session, fmt: ExportFormat = "yaml") -> str:
    """Write every live meeting, with the organisation and issue aliases, in the import format.

    Soft-deleted meetings are left out. The output imported into an empty database exports
    byte for byte the same. fmt="csv" writes the spreadsheet table of spreadsheet.py instead
    (not importable).
    """
    if fmt == "csv":
        from bot.core.interchange.spreadsheet import export_csv  # it builds on this module

        return export_csv(session=session)
    if fmt == "json":
        doc = build_export(session=session, mode="json")
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if fmt != "yaml":
        raise ValueError(f"unknown export format {fmt!r} (yaml, json or csv)")
    doc = build_export(session=session, mode="python")
    text: str = yaml.dump(
        doc,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )
    return text


def format_for(filename: str | None) -> ExportFormat:
    """Pick the export format from a file name: .json JSON, .csv CSV, anything else YAML."""
    name = (filename or "").lower()
    return "json" if name.endswith(".json") else "csv" if name.endswith(".csv") else "yaml"

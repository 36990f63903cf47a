"""The import format of DESIGN.md (YAML or JSON): parse and validate, apply, export.

parse_import checks a whole file and names the path of every error before anything is written;
apply_import writes a valid document in the caller's transaction, touching only rows that
differ, so importing the same file twice changes nothing; export_catalog writes the same format
back, and an export imported into an empty database exports byte for byte the same.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, Literal, TypeVar
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from sqlmodel import Session

from bot.core.clock import Clock
from storage import repository
from storage.models import Issue, Meeting, MeetingIssue, Organization, Participation, Person

MAX_IMPORT_BYTES = 50_000_000
MAX_ERRORS = 1000
MAX_MEETINGS = 200_000
MAX_PARTICIPANTS = 50
MAX_ITEMS = 50  # issues of a meeting, aliases of a name
MAX_SOURCES = 20
MAX_URL_LENGTH = 2000
MIN_YEAR, MAX_YEAR = 1900, 2100

_WHITESPACE = re.compile(r"\s+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class InvalidImport(ImportError):
    """The import file cannot be used; errors holds one line per problem, each with its path."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} error(s) in the import file")
        self.errors = errors


# --- text cleaning: one place decides what a name, a line and a paragraph may contain ---------


def _clean(value: str, *, multiline: bool) -> str:
    value = unicodedata.normalize("NFC", value)
    allowed = "\n\t" if multiline else ""
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value):
        raise ValueError("contains control characters")
    if multiline:
        # Paragraph breaks matter in a summary; trailing spaces on lines do not.
        lines = [_WHITESPACE.sub(" ", line).strip() for line in value.strip().split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return _WHITESPACE.sub(" ", value).strip()


def _text(max_length: int, *, optional: bool, multiline: bool = False) -> Callable[[Any], Any]:
    def check(value: Any) -> str | None:
        if value is None:
            if optional:
                return None
            raise ValueError("required")
        if not isinstance(value, str):
            raise ValueError("must be text")
        cleaned = _clean(value, multiline=multiline)
        if not cleaned:
            if optional:
                return None
            raise ValueError("must not be empty")
        if len(cleaned) > max_length:
            raise ValueError(f"too long ({len(cleaned)} characters, at most {max_length})")
        return cleaned

    return check


def _check_list(max_items: int, *, single_ok: bool = False) -> Callable[[Any], Any]:
    def check(value: Any) -> list[Any]:
        if value is None:
            return []
        if single_ok and isinstance(value, str):
            return [value]
        if not isinstance(value, list):
            raise ValueError("must be a list")
        if len(value) > max_items:
            raise ValueError(f"too many items ({len(value)}, at most {max_items})")
        return value

    return check


def _check_date(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    elif isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"not a date ({value.strip()})") from None
    elif value is None:
        raise ValueError("required")
    else:
        raise ValueError(f"not a date ({value}); write it as YYYY-MM-DD")
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValueError(f"not a plausible date ({day.isoformat()})")
    return day


def _check_url(value: Any) -> str:
    url = _text(MAX_URL_LENGTH, optional=False)(value)
    assert url is not None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
        raise ValueError(f"not an http(s) URL ({url[:80]})")
    return url


def _check_id(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    external_id = _text(100, optional=True)(value)
    if external_id is not None and " " in external_id:
        raise ValueError(f"must not contain spaces ({external_id})")
    return external_id


def _unique_aliases(aliases: list[str], name: str) -> list[str]:
    """Drop repeated aliases and the name itself, keeping the first spelling."""
    seen = {fold(name)}
    kept = []
    for alias in aliases:
        if fold(alias) not in seen:
            seen.add(fold(alias))
            kept.append(alias)
    return kept


Name = Annotated[str, BeforeValidator(_text(200, optional=False))]
OrgName = Annotated[str, BeforeValidator(_text(300, optional=False))]
Line100 = Annotated[str | None, BeforeValidator(_text(100, optional=True))]
Line200 = Annotated[str | None, BeforeValidator(_text(200, optional=True))]
Line300 = Annotated[str | None, BeforeValidator(_text(300, optional=True))]
Line500 = Annotated[str | None, BeforeValidator(_text(500, optional=True))]
Paragraph = Annotated[str | None, BeforeValidator(_text(5000, optional=True, multiline=True))]
Url = Annotated[str, BeforeValidator(_check_url)]
Aliases = Annotated[list[Name], BeforeValidator(_check_list(MAX_ITEMS))]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ParticipantIn(_Record):
    """A person at a meeting, with the role, organisation and country they had there."""

    name: Name
    title: Line500 = None
    organization: Line300 = None
    country: Line100 = None
    aliases: Aliases = Field(default_factory=list)


class MeetingIn(_Record):
    """One meeting of the import file; id, when given, is its external key."""

    id: Annotated[str | None, BeforeValidator(_check_id)] = None
    date: Annotated[dt.date, BeforeValidator(_check_date)]
    location: Line200 = None
    title: Line500 = None
    summary: Paragraph = None
    source: Annotated[list[Url], BeforeValidator(_check_list(MAX_SOURCES, single_ok=True))] = (
        Field(default_factory=list)
    )
    participants: Annotated[
        list[ParticipantIn], BeforeValidator(_check_list(MAX_PARTICIPANTS))
    ] = Field(min_length=2)
    issues: Annotated[list[Name], BeforeValidator(_check_list(MAX_ITEMS))] = Field(
        default_factory=list
    )


class OrganizationIn(_Record):
    """Extra aliases and acronyms (and optionally the country) of an organisation."""

    name: OrgName
    aliases: Aliases = Field(default_factory=list)
    country: Line100 = None


class IssueIn(_Record):
    """Synonyms of an issue."""

    name: Name
    aliases: Aliases = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ImportDoc:
    """A whole import file, validated: meetings in file order, then the alias sections."""

    meetings: tuple[MeetingIn, ...] = ()
    organizations: tuple[OrganizationIn, ...] = ()
    issues: tuple[IssueIn, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import changed: meetings added, updated, unchanged, and the records around them."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    people_added: int = 0
    people_updated: int = 0
    organizations_added: int = 0
    organizations_updated: int = 0
    issues_added: int = 0
    issues_updated: int = 0

    @property
    def changed(self) -> bool:
        """Whether anything at all was written."""
        return any(
            (
                self.added,
                self.updated,
                self.people_added,
                self.people_updated,
                self.organizations_added,
                self.organizations_updated,
                self.issues_added,
                self.issues_updated,
            )
        )

    def describe(self) -> str:
        """Return one line for people: meetings first, then the other records that changed."""
        line = f"{self.added} meeting(s) added, {self.updated} updated, {self.unchanged} unchanged"
        others = [
            (self.people_added, "person added", "people added"),
            (self.people_updated, "person updated", "people updated"),
            (self.organizations_added, "organisation added", "organisations added"),
            (self.organizations_updated, "organisation updated", "organisations updated"),
            (self.issues_added, "issue added", "issues added"),
            (self.issues_updated, "issue updated", "issues updated"),
        ]
        extra = [f"{n} {one if n == 1 else many}" for n, one, many in others if n]
        return line + (f"; {', '.join(extra)}" if extra else "") + "."


def fold(text: str) -> str:
    """Return the key two spellings share when they differ only in case or spacing."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip().casefold()


# --- parsing -------------------------------------------------------------------------------------


# libyaml, when PyYAML was built with it, parses and writes several times faster.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _StringLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """YAML 1.1 turns NO into False and 2023-13-45 into a crash; here only null is implicit."""

    yaml_implicit_resolvers = {  # noqa: RUF012  (the class attribute PyYAML reads)
        first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if key in seen:
                mark = key_node.start_mark
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _load_json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _decode(data: bytes, filename: str | None) -> Any:
    if len(data) > MAX_IMPORT_BYTES:
        raise InvalidImport(
            [f"the file is too large ({len(data):,} bytes, at most {MAX_IMPORT_BYTES:,})"]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidImport(
            [f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"]
        ) from None
    if not text.strip():
        raise InvalidImport(["the file is empty"])
    as_json = (filename or "").lower().endswith(".json") or (
        not filename and text.lstrip().startswith("{")
    )
    if as_json:
        try:
            return json.loads(text, object_pairs_hook=_load_json_pairs)
        except json.JSONDecodeError as exc:
            raise InvalidImport(
                [f"line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"]
            ) from None
        except ValueError as exc:
            raise InvalidImport([f"not valid JSON ({exc})"]) from None
    try:
        return yaml.load(text, Loader=_StringLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise InvalidImport([f"{where}not valid YAML ({exc.problem or exc.context})"]) from None
    except yaml.YAMLError as exc:
        raise InvalidImport([f"not valid YAML ({exc})"]) from None


_KEYS = {
    "": ("meetings", "organizations", "issues"),
    "meetings": tuple(MeetingIn.model_fields),
    "participants": tuple(ParticipantIn.model_fields),
    "organizations": tuple(OrganizationIn.model_fields),
    "issues": tuple(IssueIn.model_fields),
}


def _path(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(error: Any, loc: tuple[int | str, ...]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "required"
    if kind == "extra_forbidden":
        section = next((p for p in reversed(loc[:-1]) if isinstance(p, str)), "")
        allowed = ", ".join(_KEYS.get(section, ()))
        return f"unknown key (allowed: {allowed})"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "too_short" and loc and loc[-1] == "participants":
        return "at least two participants are needed"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} items"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "must be a mapping"
    if kind == "list_type":
        return "must be a list"
    if kind == "string_type":
        return "must be text"
    return str(error["msg"])


def _validate(
    model: type[_Record], raw: Any, prefix: tuple[int | str, ...], errors: list[str]
) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            loc = (*prefix, *error["loc"])
            errors.append(f"{_path(loc)}: {_message(error, loc)}")
        return None


def _section(raw: dict[str, Any], key: str, errors: list[str]) -> list[Any]:
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(f"{key}: must be a list")
        return []
    return value


def parse_import(data: bytes, *, filename: str | None = None) -> ImportDoc:
    """Parse and validate a whole import file (YAML, or JSON by .json name or a leading "{").

    Raises InvalidImport with every error found, each naming its path, e.g.
    "meetings[3].participants[0].name: required". Nothing is written here.
    """
    raw = _decode(data, filename)
    if not isinstance(raw, dict):
        raise InvalidImport(
            [
                "the file must be a mapping with a meetings: list (and optional organizations:"
                " and issues: lists)"
            ]
        )
    errors: list[str] = [
        f"{key}: unknown key (allowed: {', '.join(_KEYS[''])})"
        for key in raw
        if key not in _KEYS[""]
    ]
    raw_meetings = _section(raw, "meetings", errors)
    if len(raw_meetings) > MAX_MEETINGS:
        errors.append(f"meetings: too many ({len(raw_meetings)}, at most {MAX_MEETINGS})")
        raw_meetings = []
    meetings = [
        (i, _validate(MeetingIn, item, ("meetings", i), errors))
        for i, item in enumerate(raw_meetings)
    ]
    orgs = [
        (i, _validate(OrganizationIn, item, ("organizations", i), errors))
        for i, item in enumerate(_section(raw, "organizations", errors))
    ]
    issues = [
        (i, _validate(IssueIn, item, ("issues", i), errors))
        for i, item in enumerate(_section(raw, "issues", errors))
    ]
    _check_duplicates(meetings, orgs, issues, errors)
    if errors:
        if len(errors) > MAX_ERRORS:
            errors = [*errors[:MAX_ERRORS], f"... and {len(errors) - MAX_ERRORS} more errors"]
        raise InvalidImport(errors)
    return ImportDoc(
        meetings=tuple(_tidy_meeting(m) for _, m in meetings),
        organizations=tuple(
            o.model_copy(update={"aliases": _unique_aliases(o.aliases, o.name)}) for _, o in orgs
        ),
        issues=tuple(
            s.model_copy(update={"aliases": _unique_aliases(s.aliases, s.name)}) for _, s in issues
        ),
    )


def _tidy_meeting(meeting: MeetingIn) -> MeetingIn:
    participants = [
        p.model_copy(update={"aliases": _unique_aliases(p.aliases, p.name)})
        for p in meeting.participants
    ]
    sources = list(dict.fromkeys(meeting.source))
    return meeting.model_copy(update={"participants": participants, "source": sources})


def _check_duplicates(
    meetings: list[tuple[int, MeetingIn | None]],
    orgs: list[tuple[int, OrganizationIn | None]],
    issues: list[tuple[int, IssueIn | None]],
    errors: list[str],
) -> None:
    """Find what each record alone cannot show: repeats within a meeting or across the file."""
    ids: dict[str, int] = {}
    keys: dict[tuple[dt.date, frozenset[str]], int] = {}
    for i, meeting in meetings:
        if meeting is None:
            continue
        names: dict[str, int] = {}
        for j, person in enumerate(meeting.participants):
            first = names.setdefault(fold(person.name), j)
            if first != j:
                errors.append(
                    f"meetings[{i}].participants[{j}].name: {person.name} is already"
                    f" participants[{first}]"
                )
        labels: dict[str, int] = {}
        for j, issue in enumerate(meeting.issues):
            first = labels.setdefault(fold(issue), j)
            if first != j:
                errors.append(f"meetings[{i}].issues[{j}]: {issue} is already issues[{first}]")
        if meeting.id is not None:
            first = ids.setdefault(meeting.id, i)
            if first != i:
                errors.append(f"meetings[{i}].id: {meeting.id} is already meetings[{first}]")
        else:
            key = (meeting.date, frozenset(names))
            first = keys.setdefault(key, i)
            if first != i:
                errors.append(
                    f"meetings[{i}]: same date and participants as meetings[{first}];"
                    " give them ids if they are different meetings"
                )
    for section, entries in (("organizations", orgs), ("issues", issues)):
        owner: dict[str, int] = {}
        for i, entry in entries:
            if entry is None:
                continue
            for label, where in [(entry.name, "name")] + [
                (alias, f"aliases[{k}]") for k, alias in enumerate(entry.aliases)
            ]:
                first = owner.setdefault(fold(label), i)
                if first != i:
                    errors.append(
                        f"{section}[{i}].{where}: {label} already names {section}[{first}]"
                    )


# --- applying ------------------------------------------------------------------------------------

Named = TypeVar("Named", Person, Organization, Issue)


class _Names(Generic[Named]):  # Python 3.11: no PEP 695 generics yet
    """An in-memory lookup of records by folded name and by folded alias."""

    def __init__(self, rows: Iterable[Named]) -> None:
        self.by_name: dict[str, list[Named]] = {}
        self.by_alias: dict[str, list[Named]] = {}
        for row in rows:
            self.index(row)

    def index(self, row: Named) -> None:
        """Make row findable by its name and its current aliases."""
        bucket = self.by_name.setdefault(fold(row.name), [])
        if not any(r is row for r in bucket):
            bucket.append(row)
        for alias in row.aliases:
            bucket = self.by_alias.setdefault(fold(alias), [])
            if not any(r is row for r in bucket):
                bucket.append(row)

    def rename(self, row: Named, name: str) -> None:
        """Give row a new name; the old one becomes its first alias."""
        bucket = self.by_name.get(fold(row.name), [])
        bucket[:] = [r for r in bucket if r is not row]
        old = row.name
        row.name = name
        row.aliases = _unique_aliases([old, *row.aliases], name)
        self.index(row)

    def find(self, name: str, aliases: Iterable[str] = ()) -> Named | None:
        """Return the one record that name (or, failing that, one of aliases) names, if any."""
        key = fold(name)
        for bucket in (self.by_name.get(key, []), self.by_alias.get(key, [])):
            if len(bucket) == 1:
                return bucket[0]
            if len(bucket) > 1:
                return None  # two records answer to it: guessing would merge strangers
        found = {id(r): r for a in aliases for r in self.by_name.get(fold(a), [])}
        return next(iter(found.values())) if len(found) == 1 else None

    def owners(self, label: str) -> list[Named]:
        """Return every record that answers to label, by name or alias."""
        key = fold(label)
        rows = self.by_name.get(key, []) + self.by_alias.get(key, [])
        return list({id(r): r for r in rows}.values())


def _rows_by_id(names: _Names[Named]) -> dict[int, Named]:
    return {
        row.id: row for bucket in names.by_name.values() for row in bucket if row.id is not None
    }


@dataclass(frozen=True, slots=True)
class _Want:
    """A meeting as the file wants it, with its names resolved to rows."""

    at: int  # index in the file
    record: MeetingIn
    people: tuple[tuple[Person, str | None, Organization | None, str | None], ...]
    issues: tuple[Issue, ...]

    def person_ids(self) -> frozenset[int]:
        return frozenset(p.id for p, _, _, _ in self.people if p.id is not None)


class _Applier:
    """One import's working state: the name lookups, the new rows and the counters."""

    def __init__(self, *, session: Session, clock: Clock, actor_id: int | None) -> None:
        self.session = session
        self.now = clock.now()
        self.actor_id = actor_id
        self.people = _Names(repository.list_people(session=session))
        self.orgs = _Names(repository.list_organizations(session=session))
        self.issues = _Names(repository.list_issues(session=session))
        self.errors: list[str] = []
        self.added: dict[str, set[int]] = {"people": set(), "orgs": set(), "issues": set()}
        self.updated: dict[str, set[int]] = {"people": set(), "orgs": set(), "issues": set()}
        self._by_id: tuple[dict[int, Person], dict[int, Organization], dict[int, Issue]] | None = (
            None
        )

    def by_id(self) -> tuple[dict[int, Person], dict[int, Organization], dict[int, Issue]]:
        """Return people, organisations and issues by id (after a flush gave the new ones ids)."""
        if self._by_id is None:
            self._by_id = (
                _rows_by_id(self.people),
                _rows_by_id(self.orgs),
                _rows_by_id(self.issues),
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
        aliases = _unique_aliases([*org.aliases, *entry.aliases], org.name)
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
        aliases = _unique_aliases([*issue.aliases, *entry.aliases], issue.name)
        if aliases != issue.aliases:
            issue.aliases = aliases
            self.issues.index(issue)
            self._note("issues", issue)

    def _named(self, names: _Names[Any], name: str, aliases: list[str], kind: str) -> Any:
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
        self, names: _Names[Any], row: Any, aliases: list[str], where: str, noun: str
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
        self.session.add(org)
        self.orgs.index(org)
        self._note("orgs", org, new=True)
        return org

    def _add_issue(self, name: str) -> Issue:
        issue = Issue(name=name, aliases=[])
        self.session.add(issue)
        self.issues.index(issue)
        self._note("issues", issue, new=True)
        return issue

    def resolve_person(self, entry: ParticipantIn) -> Person:
        person = self.people.find(entry.name, entry.aliases)
        if person is None:
            person = Person(name=entry.name, aliases=list(entry.aliases), country=entry.country)
            self.session.add(person)
            self.people.index(person)
            self._note("people", person, new=True)
            return person
        # The file's own spelling of the name becomes an alias of the person it resolved to.
        aliases = _unique_aliases([*person.aliases, entry.name, *entry.aliases], person.name)
        if aliases != person.aliases:
            person.aliases = aliases
            self.people.index(person)
            self._note("people", person)
        if person.country is None and entry.country:
            person.country = entry.country
            self._note("people", person)
        return person

    def resolve_org(self, name: str | None) -> Organization | None:
        if name is None:
            return None
        return self.orgs.find(name) or self._add_org(name)

    def resolve_meeting(self, at: int, record: MeetingIn) -> _Want:
        people = tuple(
            (self.resolve_person(p), p.title, self.resolve_org(p.organization), p.country)
            for p in record.participants
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
    doc: ImportDoc, *, session: Session, clock: Clock, actor_id: int | None = None
) -> ImportResult:
    """Write doc into the database in the caller's transaction and count what changed.

    A meeting with an id is found by it (Meeting.external_id); one without by its date and the
    set of its participants. A meeting becomes what the file says; people, organisations and
    issues only gain aliases. Rows are written only where something differs, so the same file
    twice changes nothing, not even updated_at. Every added or updated meeting gets an
    AuditEntry (action "import"). Raises InvalidImport when the file clashes with the records
    (an alias that names another organisation or issue); the caller then rolls back and
    nothing is kept.
    """
    work = _Applier(session=session, clock=clock, actor_id=actor_id)
    for i, org in enumerate(doc.organizations):
        work.apply_organization(org, f"organizations[{i}]")
    for i, issue in enumerate(doc.issues):
        work.apply_issue(issue, f"issues[{i}]")
    if work.errors:
        raise InvalidImport(work.errors)
    wants = [work.resolve_meeting(i, m) for i, m in enumerate(doc.meetings)]
    # Ids for new people, organisations and issues before anything points at them.
    session.flush()
    found, links = _match_meetings(wants, session=session)

    added: list[tuple[_Want, Meeting]] = []
    updated: list[tuple[_Want, Meeting, dict[str, Any]]] = []
    unchanged = 0
    for want in wants:
        meeting = found.get(want.at)
        if meeting is None:
            meeting = Meeting(
                date=want.record.date,
                created_at=work.now,
                created_by=actor_id,
                updated_at=work.now,
                updated_by=actor_id,
            )
            _set_fields(meeting, want.record)
            session.add(meeting)
            added.append((want, meeting))
            continue
        assert meeting.id is not None
        current = links[meeting.id]
        before = _meeting_dict(meeting, _link_rows(current, work), mode="json")
        if _update_meeting(meeting, want, current, session=session):
            meeting.updated_at = work.now
            meeting.updated_by = actor_id
            updated.append((want, meeting, before))
        else:
            unchanged += 1
    session.flush()  # ids for the new meetings
    # New meetings' links and every audit entry go in as bulk inserts: building an ORM object
    # per row costs more than the database does. The Meeting rows above already went through
    # the session, so the catalog version has moved in this transaction.
    people_rows: list[dict[str, Any]] = []
    issue_rows: list[dict[str, Any]] = []
    audit_rows: list[dict[str, Any]] = []
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
        audit_rows.append(
            _audit_row(work, meeting, None, _meeting_dict(meeting, _want_rows(want), "json"))
        )
    for want, meeting, before in updated:
        after = _meeting_dict(meeting, _want_rows(want), "json")
        audit_rows.append(_audit_row(work, meeting, before, after))
    repository.add_participations(people_rows, session=session)
    repository.add_meeting_issues(issue_rows, session=session)
    repository.add_audit_entries(audit_rows, session=session)
    return ImportResult(
        added=len(added),
        updated=len(updated),
        unchanged=unchanged,
        people_added=len(work.added["people"]),
        people_updated=len(work.updated["people"]),
        organizations_added=len(work.added["orgs"]),
        organizations_updated=len(work.updated["orgs"]),
        issues_added=len(work.added["issues"]),
        issues_updated=len(work.updated["issues"]),
    )


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
            matches = [
                m
                for m in by_key.get((want.record.date, want.person_ids()), [])
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


def _set_fields(meeting: Meeting, record: MeetingIn) -> bool:
    """Give meeting the file's fields, assigning only those that differ; True if any did."""
    wanted: dict[str, Any] = {
        "external_id": record.id if record.id is not None else meeting.external_id,
        "date": record.date,
        "location": record.location,
        "title": record.title,
        "summary": record.summary,
        "sources": list(record.source),
        "deleted_at": None,  # importing a soft-deleted meeting brings it back
    }
    changed = False
    for name, value in wanted.items():
        if getattr(meeting, name) != value:
            setattr(meeting, name, value)
            changed = True
    return changed


def _update_meeting(meeting: Meeting, want: _Want, current: _Links, *, session: Session) -> bool:
    """Make a stored meeting and its links what want says, reusing rows; True if anything moved."""
    assert meeting.id is not None
    changed = _set_fields(meeting, want.record)
    for position, (person, title, org, country) in enumerate(want.people):
        values = {
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
    stored = {row.issue_id: row for row in current.issues}
    wanted_ids = [issue.id for issue in want.issues]
    for position, issue_id in enumerate(wanted_ids):
        assert issue_id is not None
        row = stored.get(issue_id)
        if row is None:
            session.add(MeetingIssue(meeting_id=meeting.id, issue_id=issue_id, position=position))
            changed = True
        elif row.position != position:
            row.position = position
            changed = True
    for issue_id, row in stored.items():
        if issue_id not in wanted_ids:
            session.delete(row)
            changed = True
    return changed


# --- the export shape, shared by export_catalog and the audit trail ------------------------------

_Row = tuple[Person, str | None, Organization | None, str | None]


def _want_rows(want: _Want) -> tuple[list[_Row], list[str]]:
    return list(want.people), [issue.name for issue in want.issues]


def _link_rows(links: _Links, work: _Applier) -> tuple[list[_Row], list[str]]:
    people, orgs, issues = work.by_id()
    rows = [
        (
            people[p.person_id],
            p.title,
            orgs.get(p.organization_id) if p.organization_id else None,
            p.country,
        )
        for p in sorted(links.people, key=lambda p: p.position)
    ]
    labels = [issues[i.issue_id].name for i in sorted(links.issues, key=lambda i: i.position)]
    return rows, labels


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
    if meeting.deleted_at is not None and mode == "json":
        # Only audit snapshots can see this: exports leave deleted meetings out.
        out["deleted_at"] = meeting.deleted_at.isoformat()
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


def build_export(
    *, session: Session, mode: Literal["json", "python"] = "python"
) -> dict[str, Any]:
    """Return the live catalog as an import document (a dict), meetings by date then age."""
    people = {p.id: p for p in repository.list_people(session=session)}
    orgs = {o.id: o for o in repository.list_organizations(session=session)}
    issues = {i.id: i for i in repository.list_issues(session=session)}
    meetings = repository.list_live_meetings(session=session)
    ids = [m.id for m in meetings if m.id is not None]
    parts = repository.list_participations(ids, session=session)
    labels = repository.list_meeting_issues(ids, session=session)
    out_meetings = []
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
        names = [issues[i.issue_id].name for i in labels.get(meeting.id, [])]
        out_meetings.append(_meeting_dict(meeting, (rows, names), mode))
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


def export_catalog(*, session: Session, fmt: Literal["yaml", "json"] = "yaml") -> str:
    """Write every live meeting, with the organisation and issue aliases, in the import format.

    Soft-deleted meetings are left out. The output imported into an empty database exports
    byte for byte the same.
    """
    if fmt == "json":
        doc = build_export(session=session, mode="json")
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if fmt != "yaml":
        raise ValueError(f"unknown export format {fmt!r} (yaml or json)")
    doc = build_export(session=session, mode="python")
    return yaml.dump(
        doc,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )


def format_for(filename: str | None) -> Literal["yaml", "json"]:
    """Pick the export format from a file name: .json means JSON, anything else YAML."""
    return "json" if filename and filename.lower().endswith(".json") else "yaml"

"""Read an import file: decode YAML or JSON and validate it whole against the meeting schema.

Every error is named by its path ("meetings[3].participants[0].name: required") before
anything is written.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from bot.core.names import name_key
from bot.core.schema import (
    InputModel,
    IssueIn,
    MeetingIn,
    OrganizationIn,
    ParticipantIn,
    repeated_issues,
    repeated_participants,
    unique_aliases,
)

MAX_IMPORT_BYTES = 50_000_000
MAX_ERRORS = 1000
MAX_MEETINGS = 200_000
# YAML aliases (*name) repeat a node without writing it again, so a few KB can stand for
# millions of values ("billion laughs"), each validated on its own. The values aliases may add
# beyond those written are capped: far more than repeating a participant across a catalog
# needs, and time and memory stay bounded by the file's size.
MAX_ALIAS_NODES = 100_000


class InvalidImport(ImportError):
    """The import file cannot be used; errors holds one line per problem, each with its path."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} error(s) in the import file")
        self.errors = errors

    def __reduce__(self) -> tuple[type[InvalidImport], tuple[list[str]]]:
        # Pickled whole, errors and all, when a big import in a child process refuses the file.
        return (type(self), (self.errors,))


@dataclass(frozen=True, slots=True)
class ImportDoc:
    """A whole import file, validated: meetings in file order, then the alias sections."""

    meetings: tuple[MeetingIn, ...] = ()
    organizations: tuple[OrganizationIn, ...] = ()
    issues: tuple[IssueIn, ...] = ()


# libyaml, when PyYAML was built with it, parses and writes several times faster.
try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # PyYAML built without libyaml
    # A different class under the same name, which mypy does not allow; both build objects
    # with SafeConstructor, the only part _StringLoader changes.
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]
_Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _StringLoader(_BaseLoader):
    """YAML 1.1 turns NO into False and 2023-13-45 into a crash; here only null is implicit."""

    yaml_implicit_resolvers = {  # noqa: RUF012  (the class attribute PyYAML reads)
        first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                mark = key_node.start_mark
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _AliasCheckingLoader(_StringLoader):
    """The same loader, refusing a document whose aliases repeat too much (_check_aliases)."""

    def get_single_node(self) -> yaml.Node | None:
        node: yaml.Node | None = super().get_single_node()
        if node is not None:
            _check_aliases(node)
        return node


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


# Sizes stop growing here: more than any file can hold, and no big-integer arithmetic.
_SIZE_CAP = 1 << 62


def _check_aliases(root: yaml.Node) -> None:
    """Refuse a document whose aliases expand it by more than MAX_ALIAS_NODES values.

    Composing keeps one node per written value (an alias points at its anchor's node), so one
    walk over the written collections adds up what each stands for with its aliases written
    out, and compares that with what was written. A collection that contains itself (an alias
    inside its own anchor) is refused too.
    """
    written = 0
    sizes: dict[int, int] = {}  # expanded size of each collection, by node identity
    open_nodes: set[int] = set()  # the collections whose children are being added up
    work: list[tuple[yaml.Node, list[yaml.Node] | None]] = [(root, None)]
    while work:
        node, kids = work.pop()
        key = id(node)
        if kids is not None:
            open_nodes.discard(key)
            size = 1 + sum(sizes.get(id(kid), 1) for kid in kids)
            sizes[key] = min(size, _SIZE_CAP)
        elif key in open_nodes:
            mark = node.start_mark
            raise InvalidImport(
                [f"line {mark.line + 1}, column {mark.column + 1}: an alias contains itself"]
            )
        elif key not in sizes:
            kids = _children(node)
            open_nodes.add(key)
            work.append((node, kids))
            nested = [kid for kid in kids if not isinstance(kid, yaml.ScalarNode)]
            written += 1 + len(kids) - len(nested)  # a scalar alias is as long as its value
            work.extend((kid, None) for kid in nested if id(kid) not in sizes)
    if sizes.get(id(root), 1) - written > MAX_ALIAS_NODES:
        raise InvalidImport(
            [
                f"the file's aliases (*name) repeat more than {MAX_ALIAS_NODES:,} values;"
                " write the records out instead"
            ]
        )


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
        except RecursionError:
            raise InvalidImport(["not valid JSON (nested too deeply)"]) from None
    try:
        # An alias is written *name: a file without "*" has none, and skips the walk.
        loader = _AliasCheckingLoader if "*" in text else _StringLoader
        return yaml.load(text, Loader=loader)  # SafeLoader subclasses
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
    return str(error["msg"])  # the schema's own errors (too_long, bad_url, ...) are worded


def _validate(
    model: type[InputModel],
    raw: Any,
    prefix: tuple[int | str, ...],
    errors: list[str],
    context: dict[str, Any],
) -> Any:
    try:
        return model.model_validate(raw, context=context)
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


def parse_import(
    data: bytes, *, filename: str | None = None, today: dt.date | None = None
) -> ImportDoc:
    """Parse and validate a whole import file (YAML, or JSON by .json name or a leading "{").

    Raises InvalidImport with every error found, each naming its path, e.g.
    "meetings[3].participants[0].name: required". With today, a meeting more than a day
    after it is an error too (the schema's rule). Nothing is written here.
    """
    context = {"today": today}
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
        (i, _validate(MeetingIn, item, ("meetings", i), errors, context))
        for i, item in enumerate(raw_meetings)
    ]
    orgs = [
        (i, _validate(OrganizationIn, item, ("organizations", i), errors, context))
        for i, item in enumerate(_section(raw, "organizations", errors))
    ]
    issues = [
        (i, _validate(IssueIn, item, ("issues", i), errors, context))
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
            o.model_copy(update={"aliases": unique_aliases(o.aliases, o.name)}) for _, o in orgs
        ),
        issues=tuple(
            s.model_copy(update={"aliases": unique_aliases(s.aliases, s.name)}) for _, s in issues
        ),
    )


def _tidy_meeting(meeting: MeetingIn) -> MeetingIn:
    participants = [
        p.model_copy(update={"aliases": unique_aliases(p.aliases, p.name)})
        for p in meeting.participants
    ]
    update: dict[str, Any] = {"participants": participants}
    # model_copy marks what it updates as given: a source the file left out must stay unnamed,
    # or the import would clear the stored one (apply_import keeps what a record leaves out).
    if "source" in meeting.model_fields_set:
        update["source"] = list(dict.fromkeys(meeting.source))
    return meeting.model_copy(update=update)


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
        for first, j in repeated_participants(meeting):
            errors.append(
                f"meetings[{i}].participants[{j}].name: {meeting.participants[j].name} is"
                f" already participants[{first}]"
            )
        for first, j in repeated_issues(meeting):
            errors.append(
                f"meetings[{i}].issues[{j}]: {meeting.issues[j]} is already issues[{first}]"
            )
        if meeting.id is not None:
            first = ids.setdefault(meeting.id, i)
            if first != i:
                errors.append(f"meetings[{i}].id: {meeting.id} is already meetings[{first}]")
        else:
            key = (meeting.date, frozenset(name_key(p.name) for p in meeting.participants))
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
                first = owner.setdefault(name_key(label), i)
                if first != i:
                    errors.append(
                        f"{section}[{i}].{where}: {label} already names {section}[{first}]"
                    )


def yaml_block(body: str) -> bytes:
    """The YAML of `/add <block>`: code fences dropped; one meeting may stand alone."""
    lines = body.strip().splitlines()
    if lines and lines[0].lstrip().startswith("```"):
        lines = lines[1:]
    if lines and lines[-1].strip().startswith("```"):
        lines = lines[:-1]
    text = "\n".join(lines)
    top_keys = {line.split(":", 1)[0].strip() for line in lines if line and not line[0].isspace()}
    if "meetings" not in top_keys and top_keys & {"date", "participants"}:
        # A bare meeting (date:, participants:, ...) becomes the one item of meetings:.
        indented = "\n".join(("  - " if i == 0 else "    ") + line for i, line in enumerate(lines))
        text = "meetings:\n" + indented
    return text.encode("utf-8")

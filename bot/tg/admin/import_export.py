"""/import and /export: the whole catalog as a YAML or JSON file, and back.

/import takes the document sent with it (the command as its caption) or asks for one; the whole
file is validated first and applied in one transaction, or nothing is written. Stored meetings
keep what the file leaves out; "replace" in the caption (or after /import) makes the file the
whole truth. /add with a YAML
block goes through import_data too. /export sends every meeting in the import format.
"""

from __future__ import annotations

from collections.abc import Awaitable

from telegram import Update
from telegram.ext import ConversationHandler

from bot.core import records
from bot.core.interchange import ImportResult, export_catalog
from bot.core.interchange.export import ExportFormat
from bot.core.interchange.parse import yaml_block
from bot.core.views import load_meeting_views
from bot.tg.admin.change import (
    REPORTED,
    Reported,
    actor_id,
    command_argument,
    reported,
    user_data,
)
from bot.tg.admin.render import (
    import_errors_html,
    meeting_keyboard,
    meeting_label,
    reply,
    send_blocks,
)
from bot.tg.auth import admin_only
from bot.tg.context import BotContext
from bot.tg.render import escape, render_meeting_card

END = ConversationHandler.END

# The conversation's one state (the /add states are 0-8, /edit's 9-10).
IMPORT_FILE = 11

# Telegram lets bots download files up to 20 MB; a catalog of 100k meetings is about 60 MB of
# YAML, so bigger imports go through `meetbot import` on the server instead.
MAX_IMPORT_FILE_BYTES = 10 * 1024 * 1024
IMPORT_SUFFIXES = (".yaml", ".yml", ".json")
CSV_REFUSED = (
    "A CSV file cannot be imported (it is an export for spreadsheets); send a .yaml, .yml or"
    " .json file in the import format."
)
_EXPORT_FORMATS: dict[str, ExportFormat] = {"yaml": "yaml", "json": "json", "csv": "csv"}
_EXPORT_CAPTIONS: dict[ExportFormat, str] = {
    "yaml": "Every meeting in the import format; /import takes the file back.",
    "json": "Every meeting in the import format; /import takes the file back.",
    "csv": "Every meeting, one row per participant, for spreadsheets (not for /import).",
}
# user_data key: the /import that asked for the file said "replace".
_REPLACE = "import_replace"


async def import_data(
    update: Update,
    context: BotContext,
    data: bytes,
    *,
    filename: str,
    lead: str,
    replace: bool = False,
) -> ImportResult | Reported:
    """Import a file's bytes as the sending admin; an unusable file is listed after lead.

    Stored meetings keep what the file leaves out, unless replace makes the file the truth.
    A file of more than deps.process_import_bytes is imported in the child process
    (records.import_document_at), so the answers to everyone else go on meanwhile.
    """
    deps, actor = context.deps, actor_id(update)
    url = deps.worker_database_url()
    work: Awaitable[ImportResult]
    if url is not None and len(data) > deps.process_import_bytes:
        work = deps.worker.run(
            records.import_document_at,
            url,
            data,
            filename=filename,
            now=deps.clock.now(),
            actor_id=actor,
            today=deps.today(),
            replace=replace,
        )
    else:
        work = context.in_session(
            lambda s: records.import_document(
                data,
                filename=filename,
                session=s,
                clock=deps.clock,
                actor_id=actor,
                today=deps.today(),
                replace=replace,
            )
        )
    return await reported(update, work, explain=lambda exc: import_errors_html(exc, lead))


@admin_only("import")
async def cmd_import(update: Update, context: BotContext) -> int:
    """/import [replace]: take the document sent with it, or ask for one."""
    message = update.effective_message
    if message is not None and message.document is not None:
        await _import_document(update, context)
        return END
    user_data(context)[_REPLACE] = _says_replace(command_argument(update))
    await reply(
        update,
        "Send the YAML or JSON file as a document now (at most "
        f"{MAX_IMPORT_FILE_BYTES // (1024 * 1024)} MB). /cancel stops.",
    )
    return IMPORT_FILE


@admin_only("import")
async def import_file(update: Update, context: BotContext) -> int:
    """The document after /import."""
    await _import_document(update, context)
    return END


async def import_waiting(update: Update, context: BotContext) -> int:
    """Text while a file is expected."""
    await reply(update, "Please send the file as a document, or /cancel.")
    return IMPORT_FILE


def _too_large(size: int) -> str:
    """The refusal of a file of size bytes, with its real size (in bytes when MB would hide it)."""
    shown = f"{size / 1_048_576:.1f} MB"
    if round(size / 1_048_576, 1) <= MAX_IMPORT_FILE_BYTES / 1_048_576:
        shown = f"{size:,} bytes"  # 10.0 MB beside a 10 MB limit would not say why
    return (
        f"The file is {shown}; the limit is {MAX_IMPORT_FILE_BYTES // 1_048_576} MB"
        " (use meetbot import on the server)."
    )


def _says_replace(text: str) -> bool:
    """Whether a caption or an argument asks the file to replace what is stored."""
    return "replace" in text.casefold().split()


async def _import_document(update: Update, context: BotContext) -> None:
    message = update.effective_message
    document = message.document if message else None
    # "replace" in the document's caption, or after the /import that asked for the file.
    replace = bool(user_data(context).pop(_REPLACE, False))
    if document is None:
        return
    replace = replace or _says_replace((message.caption if message else None) or "")
    name = document.file_name or "import.yaml"
    size = document.file_size or 0
    if size > MAX_IMPORT_FILE_BYTES:
        await reply(update, _too_large(size))
        return
    if name.lower().endswith(".csv"):
        await reply(update, CSV_REFUSED)
        return
    if not name.lower().endswith(IMPORT_SUFFIXES):
        await reply(update, "Send a .yaml, .yml or .json file in the import format.")
        return
    telegram_file = await document.get_file()
    data = bytes(await telegram_file.download_as_bytearray())
    if len(data) > MAX_IMPORT_FILE_BYTES:  # Telegram's file_size was missing or wrong
        await reply(update, _too_large(len(data)))
        return
    result = await import_data(
        update, context, data, filename=name, lead="Nothing was imported", replace=replace
    )
    if result is REPORTED:
        return
    undo = " /undo takes it back." if result.meeting_ids else ""
    await reply(update, f"Imported: {escape(result.describe())}{undo}")


@admin_only("export")
async def cmd_export(update: Update, context: BotContext) -> None:
    """/export [yaml|json|csv]: the whole database as a file in the import format, or CSV."""
    argument = command_argument(update).strip().casefold() or "yaml"
    if argument not in _EXPORT_FORMATS:
        await reply(
            update, "Write /export for YAML, /export json for JSON or /export csv for a table."
        )
        return
    fmt = _EXPORT_FORMATS[argument]
    text = await context.in_session(lambda s: export_catalog(session=s, fmt=fmt))
    message = update.effective_message
    assert message is not None
    filename = f"meetbot-{context.deps.today().isoformat()}.{argument}"
    await message.reply_document(
        document=text.encode("utf-8"),
        filename=filename,
        caption=_EXPORT_CAPTIONS[fmt],
    )


# --------------------------------------------------------------------------- /add with YAML


async def add_from_yaml(update: Update, context: BotContext, body: str) -> None:
    """/add with a YAML block: import its meetings, and show the cards of those added."""
    result = await import_data(
        update, context, yaml_block(body), filename="add.yaml", lead="Nothing was added"
    )
    if result is REPORTED:
        return
    lines = [escape(result.describe())]
    views = await context.in_session(lambda s: load_meeting_views(result.meeting_ids, session=s))
    keyboard = meeting_keyboard(views[0].id) if len(views) == 1 else None
    for view in views[:3]:
        lines.append(f"\n<b>{meeting_label(view)}</b>\n{render_meeting_card(view)}")
    await send_blocks(update, lines, keyboard)

"""The engine for a database URL (SQLite by default, PostgreSQL for scale) and sessions.

The URL and the data folder come from the caller (bot/config.py Settings: DATABASE_URL,
MEETBOT_DATA_DIR); storage reads no environment of its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, unquote

from sqlalchemy import Engine, create_engine, event, inspect, text, update
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session, col

from storage.models import (
    CatalogVersion,
    Issue,
    Meeting,
    MeetingIssue,
    Organization,
    Participation,
    Person,
)

# The newest migration in storage/migrations/versions; a test keeps the two in step.
SCHEMA_REVISION = "0003"

DEFAULT_DATA_DIR = "data"


class DatabaseError(Exception):
    """The database cannot be reached or prepared; the message is a sentence for the user."""


class CatalogBusy(DatabaseError):
    """Another catalog change held the catalog lock too long; str(error) is one sentence."""


# The PostgreSQL advisory lock that serializes catalog writers (any number that is ours), and
# how long a writer waits for it before giving up with CatalogBusy. A module setting, read at
# each lock, so a test can shorten it.
CATALOG_LOCK_KEY = 0x6D656574
CATALOG_LOCK_TIMEOUT = 60.0


def default_database_url(data_dir: str | os.PathLike[str] = DEFAULT_DATA_DIR) -> str:
    """Return the SQLite URL of meetbot.db in the data folder (MEETBOT_DATA_DIR, else ./data)."""
    return f"sqlite:///{Path(data_dir) / 'meetbot.db'}"


def normalize_database_url(url: str) -> str:
    """Return url with a PostgreSQL scheme that names the installed driver (psycopg 3).

    Hosting providers and libpq hand out postgres://... and postgresql://...; SQLAlchemy
    refuses the first and looks for psycopg2 with the second. Both mean PostgreSQL here, as
    does postgres+psycopg://. Other URLs are returned as they are.
    """
    scheme, sep, rest = url.partition("://")
    if sep and scheme.lower() in ("postgres", "postgresql", "postgres+psycopg"):
        return f"postgresql+psycopg://{rest}"
    return url


def create_db_engine(url: str, *, read_only: bool | None = None) -> Engine:
    """Create an engine for url with a ready schema (migrated on first use).

    SQLite gets WAL and foreign keys on every connection; its folder is created on first use.
    An SQLite file this process cannot write (the file or its folder read-only), or any with
    read_only=True, is opened read-only (is_read_only): it can be read, not migrated or
    written. A PostgreSQL URL may start with postgres:// or postgresql://
    (normalize_database_url). Raises DatabaseError with a readable sentence when the database
    cannot be used.
    """
    url = normalize_database_url(url)
    try:
        if url.startswith("sqlite"):
            engine = _create_sqlite_engine(url, read_only)
        else:
            engine = create_engine(
                url, pool_pre_ping=True, connect_args=_connect_args(url), future=True
            )
        migrate(engine)
    except DatabaseError:
        raise
    except (SQLAlchemyError, OSError, ValueError) as exc:
        raise DatabaseError(
            f"Cannot use the database at {_redact(url)}: {_first_line(exc)}"
        ) from exc
    except ModuleNotFoundError as exc:
        raise DatabaseError(
            f"The database driver for {_redact(url)} is not installed ({exc.name})."
        ) from exc
    return engine


def _create_sqlite_engine(url: str, read_only: bool | None) -> Engine:
    path = url.split("///", 1)[1] if "///" in url else ""
    plain_file = bool(path) and path != ":memory:" and not path.startswith("file:")
    if plain_file and read_only is None:
        read_only = _cannot_write(Path(path))
    if plain_file and read_only:
        url = _read_only_url(Path(path))
    elif plain_file:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False}, future=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if not read_only:
            # WAL lets the bot answer while a digest job or an import writes.
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    return engine


def _cannot_write(path: Path) -> bool:
    """Whether an existing SQLite file, or its folder (SQLite writes its journal there), is
    read-only for this process."""
    return path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def _read_only_url(path: Path) -> str:
    """The URL that opens the SQLite file at path read-only (mode=ro).

    In a folder nobody can write, no other process can be writing the file either (it would
    need its -wal file there), and SQLite cannot create the shared-memory file that reading a
    WAL database needs: the file is opened as immutable.
    """
    query = "mode=ro"
    folder = path.parent
    if not os.access(folder, os.W_OK) and not path.with_name(path.name + "-wal").exists():
        query += "&immutable=1"
    return f"sqlite:///file:{quote(str(path.resolve()))}?{query}&uri=true"


def is_read_only(engine: Engine) -> bool:
    """Whether engine opened its database read-only (create_db_engine)."""
    return engine.url.query.get("mode") == "ro"


def shared_url(engine: Engine) -> str | None:
    """The URL another process opens engine's database with, or None when it cannot (an
    in-memory SQLite database lives in this process only). Password included: not for messages.
    """
    if engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:"):
        return None
    return engine.url.render_as_string(hide_password=False)


def _connect_args(url: str) -> dict[str, object]:
    if url.startswith("postgresql"):
        return {"connect_timeout": 5}
    return {}


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration; cheap when it is already there.

    A read-only database must already be there: DatabaseError says so otherwise.
    """
    current = None
    with engine.connect() as connection:
        if inspect(connection).has_table("alembic_version"):
            current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            if current == SCHEMA_REVISION:
                return
    if is_read_only(engine):
        found = f"it is at {current}" if current else "it has no meetbot tables"
        raise DatabaseError(
            f"The database at {_display_url(engine)} is read-only and needs an upgrade to "
            f"schema {SCHEMA_REVISION} ({found}); open it once with write access."
        )
    # Alembic is imported only when there is work to do: it costs start-up time.
    from storage.migrate import upgrade_to_head

    upgrade_to_head(engine)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """Yield one session for one unit of work: committed on success, rolled back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def is_transient_db_error(exc: BaseException) -> bool:
    """Tell whether exc is a database error that the same work may not meet again.

    A dropped or invalidated connection (a failover, a killed backend, a restart) and a busy
    SQLite ("database is locked" after busy_timeout, another writer held the lock) are
    transient; a PostgreSQL OperationalError is about the server or the connection, not the
    statement. A SQLite OperationalError otherwise ("no such table") and every integrity or
    programming error are not.
    """
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError):
        return False
    if type(exc.orig).__module__.startswith("sqlite3"):
        message = str(exc.orig).lower()
        return "locked" in message or "busy" in message
    return True


def _display_url(engine: Engine) -> str:
    """engine's URL as the user gave it: a read-only SQLite file by its path, no password."""
    if is_read_only(engine) and engine.url.database:
        return "sqlite:///" + unquote(engine.url.database.removeprefix("file:"))
    return _redact(engine.url.render_as_string(hide_password=False))


def _redact(url: str) -> str:
    """Hide the password in a URL before it reaches a message."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in creds else f"{scheme}://{user}@{host}"
    return url


def _first_line(exc: BaseException) -> str:
    message = str(getattr(exc, "orig", None) or exc).strip()
    return message.splitlines()[0] if message else type(exc).__name__


CATALOG_TABLES = (Meeting, Person, Organization, Issue, Participation, MeetingIssue)


def lock_catalog(session: Session) -> None:
    """Make this transaction the one catalog writer until it ends (PostgreSQL; once a transaction).

    Catalog writers decide from what they read (is there a person of this name? a catalog
    version row?), so two at once on PostgreSQL could both add the same person, or both insert
    the first CatalogVersion row. pg_advisory_xact_lock makes the second wait until the first
    commits or rolls back; it then reads what the first wrote. Every flush that touches the
    catalog takes it (the before_flush listener below), and the import takes it before its
    first read. A writer that waits longer than CATALOG_LOCK_TIMEOUT gets CatalogBusy, with a
    sentence, and writes nothing. SQLite has one writer at a time already: nothing to do.
    """
    if session.info.get("catalog_locked") or session.get_bind().dialect.name != "postgresql":
        return
    timeout = f"{max(1, round(CATALOG_LOCK_TIMEOUT * 1000))}ms"
    try:
        session.execute(text("SELECT set_config('lock_timeout', :t, true)"), {"t": timeout})
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CATALOG_LOCK_KEY})
        session.execute(text("SELECT set_config('lock_timeout', '0', true)"))
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) != "55P03":  # lock_not_available
            raise
        raise CatalogBusy(
            f"Another change to the meetings was still being saved after "
            f"{CATALOG_LOCK_TIMEOUT:g} s, so this one was not saved; please try again."
        ) from exc
    session.info["catalog_locked"] = True


@event.listens_for(Session, "before_flush")
def _bump_catalog_version(session: Session, _context: object, _instances: object) -> None:
    """Raise the catalog version in the same transaction as any change to the catalog."""
    changed = (*session.new, *session.dirty, *session.deleted)
    if not session.info.get("catalog_bumped") and any(
        isinstance(obj, CATALOG_TABLES) for obj in changed
    ):
        bump_catalog_version(session)


def bump_catalog_version(session: Session) -> None:
    """Raise the catalog version in session's transaction (once a transaction).

    Every flush that changes the catalog calls it; a bulk insert that bypasses the session's
    flush (the import's) calls it itself.
    """
    if session.info.get("catalog_bumped"):
        return
    lock_catalog(session)
    session.info["catalog_bumped"] = True
    result = session.exec(
        update(CatalogVersion)
        .where(col(CatalogVersion.id) == 1)
        .values(version=CatalogVersion.version + 1)
    )
    if result.rowcount == 0:
        session.add(CatalogVersion(id=1, version=1))


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _reset_catalog_flag(session: Session) -> None:
    session.info.pop("catalog_bumped", None)
    session.info.pop("catalog_locked", None)


def read_catalog_version(session: Session) -> int:
    """Return the catalog version: it changes whenever meetings or their people change."""
    row = session.get(CatalogVersion, 1)
    return row.version if row else 0

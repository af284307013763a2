"""Opening the dataset: the schema in `schema.sql`, writable and read-only connections,
and the schema's own comments as documentation (one source for SQL and Datasette)."""

from __future__ import annotations

import re
import sqlite3
from functools import cache
from pathlib import Path

SCHEMA_FILE = Path(__file__).with_name("schema.sql")
SCHEMA_VERSION = 1
DEFAULT_DB = "shenbao.db"

# Tables in the contract (README "dataset"), in the order a reader meets them.
PUBLIC_TABLES = ("files", "filings", "indicators", "cost_items", "guarantees", "citations",
                 "corrections", "findings")
TABLES = PUBLIC_TABLES + ("not_checked",)
VIEWS = ("project_history", "unit_funding_by_year", "findings_summary")


class DatasetError(Exception):
    """A dataset that cannot be opened or a query that is refused; the message is for the user."""


def connect(db_path: str | Path) -> sqlite3.Connection:
    """A writable connection, creating the dataset if needed. Autocommit mode: callers
    open their own transactions (`BEGIN IMMEDIATE`)."""
    try:
        conn = sqlite3.connect(db_path, isolation_level=None, timeout=60)
    except sqlite3.Error as exc:
        raise DatasetError(f"cannot open {db_path}: {exc}") from None
    conn.execute("PRAGMA foreign_keys = ON")
    try:
        conn.execute("BEGIN IMMEDIATE")  # two ingests starting at once create the schema once
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise DatasetError(f"{db_path} was made by a newer shenbao (schema {version}); upgrade shenbao to write to it")
        if version == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise DatasetError(f"{db_path} is an SQLite file but not a shenbao dataset")
        if version == 0:
            for statement in _statements(SCHEMA_FILE.read_text(encoding="utf-8")):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except DatasetError:
        conn.close()
        raise
    except sqlite3.Error as exc:  # not an SQLite file, read-only directory, …
        conn.close()
        raise DatasetError(f"cannot open {db_path}: {exc}") from None
    return conn


def _statements(script: str) -> list[str]:
    """The script's statements one by one (executescript would commit our transaction)."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending)
            pending = ""
    return statements


def connect_readonly(db_path: str | Path, check_same_thread: bool = True) -> sqlite3.Connection:
    """A connection that can only read: opened `mode=ro` and with an authorizer that
    refuses anything but reading, so a write is refused before it runs."""
    path = Path(db_path)
    if not path.is_file():
        raise DatasetError(f"no dataset at {db_path} (create it with `shenbao ingest PATH... --db {db_path}`)")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=60,
                           check_same_thread=check_same_thread)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise DatasetError(f"{db_path} is not a readable SQLite file ({exc})") from None
    if version == 0:
        conn.close()
        raise DatasetError(f"{db_path} is not a shenbao dataset")
    conn.set_authorizer(_read_only)
    return conn


_READ_ACTIONS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
# pragmas that take an argument only to say what to describe
_DESCRIBING_PRAGMAS = {"table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
                       "foreign_key_list"}


def _read_only(action: int, arg1, arg2, db_name, trigger) -> int:
    if action in _READ_ACTIONS:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and (arg2 is None or arg1.lower() in _DESCRIBING_PRAGMAS):
        return sqlite3.SQLITE_OK  # reading a setting (no value given) or describing the schema
    if action == sqlite3.SQLITE_UPDATE and arg1 == "sqlite_master":
        return sqlite3.SQLITE_OK  # asked when a full-text table is opened; mode=ro still refuses a real write
    return sqlite3.SQLITE_DENY


def query(conn: sqlite3.Connection, sql: str, params: tuple | dict = ()) -> tuple[list[str], list[tuple]]:
    """Column names and rows of one statement. A refused write or a bad statement becomes
    a DatasetError with a one-line reason."""
    try:
        cursor = conn.execute(sql, params)
        return [d[0] for d in cursor.description or ()], cursor.fetchall()
    except (sqlite3.Error, sqlite3.Warning, ValueError) as exc:  # Warning: several statements at once
        raise query_error(exc) from None


def query_error(exc: Exception) -> DatasetError:
    """The one-line reason a query on a read-only connection failed."""
    if any(sign in str(exc) for sign in ("not authorized", "readonly", "may not be modified")):
        return DatasetError("refused: queries are read-only (SELECT or WITH … SELECT); "
                            "the dataset is changed only by `shenbao ingest`")
    return DatasetError(f"query failed: {exc}")


@cache
def schema_docs() -> dict[str, dict]:
    """{table or view: {"description": str, "columns": {column: description}}} from the
    comments in schema.sql: the lines just above a CREATE, and a comment after a column."""
    docs: dict[str, dict] = {}
    above: list[str] = []
    current: dict | None = None
    for line in SCHEMA_FILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        create = re.match(r"CREATE (?:VIRTUAL )?(?:TABLE|VIEW) (\w+)", stripped)
        if create:
            current = docs[create.group(1)] = {"description": " ".join(above), "columns": {}}
            above = []
        elif stripped.startswith("--"):
            above.append(stripped.lstrip("- ").strip())
        elif not stripped:
            above = []
            current = None
        elif current is not None:
            column = re.match(r"(\w+)\s+[A-Z].*?--\s*(.+)$", stripped)
            if column and column.group(1) not in ("PRIMARY", "FOREIGN", "UNIQUE", "CHECK"):
                current["columns"][column.group(1)] = column.group(2).strip()
    return docs

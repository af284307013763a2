"""`ingest`: files into the dataset, one transaction per file, safe to rerun or interrupt.

A file is known by its content (sha256). A rerun skips a file whose path, size and
modification time are unchanged without reading it, and any file whose content is
already in the dataset after hashing it. A file whose content changed at the same path
is a new version: the older version's rows stay, marked `superseded`. Because every
file commits on its own, a killed run loses at most the file it was on, and rerunning
finishes the job. Cross-filing checks run after the files, over every current filing,
whenever a run (this one or an interrupted one) changed the set of filings.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

import rules
from dataset.db import DEFAULT_DB, connect
from dataset.rows import insert_filing, insert_findings, insert_not_checked
from normalize.model import Declaration
from rules.model import NotChecked
from shenbao.api import FileResult, process_files
from shenbao.commands.paths import expand_paths


@dataclass
class IngestReport:
    """What one run did (counts for this run) and what the dataset now holds (`current_*`)."""

    db_path: str
    read: int = 0  # files read (or attempted) this run
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    skipped: int = 0  # already in the dataset, not read again
    filings: int = 0  # filings added
    superseded: int = 0  # filings marked superseded by a newer version of their file
    warnings: list[str] = field(default_factory=list)  # checks that crashed: data kept, checks missing
    current_filings: int = 0
    findings_by_severity: dict[str, int] = field(default_factory=dict)  # over current filings


def ingest(
    paths: Iterable[str | Path],
    db_path: str | Path = DEFAULT_DB,
    *,
    process: Callable[[list[str]], Iterable[FileResult]] = process_files,
    check_filing: Callable = rules.check_filing,
    check_across: Callable = rules.check_across,
    on_file: Callable[[str, str | None], None] | None = None,
) -> IngestReport:
    """Load the filings in `paths` (files, or directories searched recursively) into the
    dataset at `db_path`, with their findings. Never raises for a bad input file: it gets
    a `files` row with status failed and is listed in the report. `process` reads files,
    one FileResult each, in order (default `shenbao.api.process_files`, which batches
    conversions; tests inject their own); `on_file(path, reason)` is called after each
    file with the reason it failed or None (progress, naming failures as they happen)."""
    report = IngestReport(str(db_path))
    conn = connect(db_path)
    try:
        conn.execute("PRAGMA journal_mode = WAL")  # readers (shenbao serve) keep reading while we write
        conn.execute("PRAGMA synchronous = NORMAL")  # durable across a crashed process, one fsync per checkpoint
        own = {os.path.abspath(f"{db_path}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")}
        pending: list[_Pending] = []
        for path in expand_paths([str(p) for p in paths]):
            if os.path.abspath(path) in own:  # `shenbao ingest .` beside the dataset
                continue
            todo = _unless_known(conn, path, report)
            if todo:
                pending.append(todo)
            elif on_file:
                on_file(path, None)
        for todo, result in zip(pending, process([todo.path for todo in pending])):
            reason = _load(conn, todo, result, report, check_filing)
            if on_file:
                on_file(todo.path, reason)
        if _meta(conn, "across_stale") == "1":
            _recheck_across(conn, check_across, report)
        _count_current(conn, report)
    finally:
        _close(conn)
    return report


@dataclass(frozen=True)
class _Pending:
    """A file to read: as given, absolute, and its size, mtime and hash before reading."""

    path: str
    where: str
    size: int | None
    mtime: int | None
    sha: str | None


def _unless_known(conn, path: str, report: IngestReport) -> _Pending | None:
    """The file to read, or None when its content is already in the dataset (counted as
    skipped; a version changed back at the same path becomes current again)."""
    where = os.path.abspath(path)
    size, mtime = _stat(path)
    if size is not None and conn.execute(
            "SELECT 1 FROM files WHERE path = ? AND size = ? AND mtime_ns = ? AND status = 'ok' AND superseded = 0",
            (where, size, mtime)).fetchone():
        report.skipped += 1
        return None
    todo = _Pending(path, where, size, mtime, _sha256(path))
    return None if _skip_known_content(conn, todo, todo.sha, report) else todo


def _skip_known_content(conn, todo: _Pending, sha: str | None, report: IngestReport) -> bool:
    known = sha and conn.execute("SELECT id, path FROM files WHERE sha256 = ? AND status = 'ok'", (sha,)).fetchone()
    if not known:
        return False
    if known[1] == todo.where:  # touched, or changed back to an earlier version
        with _transaction(conn):
            conn.execute("UPDATE files SET size = ?, mtime_ns = ? WHERE id = ?", (todo.size, todo.mtime, known[0]))
            report.superseded += _make_current(conn, known[0], todo.where)
    report.skipped += 1  # else a copy of a file already in, under another path
    return True


def _load(conn, todo: _Pending, result: FileResult, report: IngestReport, check_filing) -> str | None:
    """One file's rows in one transaction. Returns the reason it failed, or None."""
    if todo.sha and result.sha256 and result.sha256 != todo.sha:  # rewritten between hashing and reading
        result = FileResult(todo.path, "failed", reason="changed while it was being read; ingest it again")
    sha = result.sha256 or todo.sha
    if result.status == "ok" and _skip_known_content(conn, todo, sha, report):  # listed twice in this run
        return None
    report.read += 1
    try:
        with _transaction(conn):
            file_id = _file_row(conn, todo, sha, result)
            if result.status == "ok":
                superseded = _make_current(conn, file_id, todo.where)
                for decl in result.declarations:
                    _insert_checked(conn, decl, file_id, check_filing, report)
                if result.declarations:
                    _set_meta(conn, "across_stale", "1")
        if result.status == "ok":
            report.superseded += superseded
            report.filings += len(result.declarations)
    except (sqlite3.IntegrityError, sqlite3.InterfaceError) as exc:
        # a record the dataset cannot hold (e.g. two filings with one id): keep the file as failed
        result = FileResult(todo.path, "failed", sha, result.format, reason=f"could not be stored: {exc}")
        with _transaction(conn):
            _file_row(conn, todo, sha, result)
    if result.status == "ok":
        return None
    report.failed.append((todo.path, result.reason or "unknown reason"))
    return report.failed[-1][1]


def _insert_checked(conn, decl: Declaration, file_id: int, check_filing, report: IngestReport) -> None:
    insert_filing(conn, decl, file_id)
    try:
        checked = check_filing(decl)
    except Exception as exc:  # a rule's bug must not lose the filing
        reason = f"the checks crashed ({type(exc).__name__}: {exc})"
        report.warnings.append(f"{decl.source.path}: {reason}")
        checked = rules.CheckResult(not_checked=[NotChecked(code="*", declaration=decl.id, reason=reason)])
    insert_findings(conn, checked.findings, "filing")
    insert_not_checked(conn, checked.not_checked)


def _file_row(conn, todo: _Pending, sha: str | None, result: FileResult) -> int:
    """Insert the file's row, or update in place the row of an earlier failed attempt at
    the same content (or the same unopenable path), so a rerun adds no row."""
    row = conn.execute("SELECT id FROM files WHERE sha256 = ?" if sha else
                       "SELECT id FROM files WHERE sha256 IS NULL AND path = ?", (sha or todo.where,)).fetchone()
    values = (todo.where, sha, todo.size, todo.mtime, result.format, result.status, result.reason,
              len(result.declarations), datetime.now(timezone.utc).isoformat(timespec="seconds"))
    if row:
        conn.execute("UPDATE files SET path = ?, sha256 = ?, size = ?, mtime_ns = ?, format = ?, status = ?, "
                     "reason = ?, filings = ?, ingested_at = ? WHERE id = ?", (*values, row[0]))
        return row[0]
    return conn.execute("INSERT INTO files (path, sha256, size, mtime_ns, format, status, reason, filings, "
                        "ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", values).lastrowid


def _make_current(conn, file_id: int, where: str) -> int:
    """Make `file_id` the current version of the file at `where`, every other version
    superseded. Returns how many filings became superseded."""
    params = {"id": file_id, "path": where}
    conn.execute("UPDATE files SET superseded = (id != :id) WHERE path = :path AND superseded != (id != :id)", params)
    newly = conn.execute("UPDATE filings SET superseded = 1 WHERE superseded = 0 AND file_id != :id "
                         "AND file_id IN (SELECT id FROM files WHERE path = :path)", params).rowcount
    revived = conn.execute("UPDATE filings SET superseded = 0 WHERE superseded = 1 AND file_id = :id", params).rowcount
    if newly or revived:
        _set_meta(conn, "across_stale", "1")
    return newly


def _recheck_across(conn, check_across, report: IngestReport) -> None:
    """Replace the cross-filing findings by a fresh run over every current filing."""
    declarations = [Declaration.from_json(json.loads(text)) for (text,) in
                    conn.execute("SELECT record_json FROM filings WHERE superseded = 0 ORDER BY seq")]
    try:
        result = check_across(declarations)
        with _transaction(conn):
            conn.execute("DELETE FROM findings WHERE scope = 'across'")
            insert_findings(conn, result.findings, "across")
            _set_meta(conn, "across_stale", "0")
    except Exception as exc:  # keep the previous cross-filing findings; the next run retries
        report.warnings.append(f"cross-filing checks failed ({type(exc).__name__}: {exc}); "
                               "the previous cross-filing findings are kept")


def _count_current(conn, report: IngestReport) -> None:
    report.current_filings = conn.execute("SELECT count(*) FROM filings WHERE superseded = 0").fetchone()[0]
    report.findings_by_severity = dict(Counter(dict(conn.execute(
        "SELECT x.severity, count(*) FROM findings x JOIN filings f ON f.id = x.filing_id "
        "WHERE f.superseded = 0 GROUP BY x.severity"))))


@contextmanager
def _transaction(conn: sqlite3.Connection):
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _meta(conn, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row and row[0]


def _set_meta(conn, key: str, value: str) -> None:
    conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                 (key, value))


def _stat(path: str) -> tuple[int | None, int | None]:
    try:
        st = os.stat(path)
    except OSError:
        return None, None
    return st.st_size, st.st_mtime_ns


def _sha256(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


def _close(conn: sqlite3.Connection) -> None:
    """Leave one self-contained file: back to rollback-journal mode, so a reader opening
    it read-only needs no -wal/-shm files beside it. Stays WAL if another process
    (shenbao serve) has it open; that is harmless."""
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.OperationalError:
        pass
    conn.close()

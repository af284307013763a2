"""`ingest`: files into the dataset, safe to rerun or interrupt.

A file is known by its content (sha256). A rerun skips a file whose path, size and
modification time are unchanged without reading it, and any file whose content is
already in the dataset after hashing it. A file whose content changed at the same path
is a new version: the older version's rows stay, marked `superseded`. Each file's
changes are a savepoint, kept or undone whole, and files are committed in groups
(`GROUP_FILES` files or `GROUP_SECONDS`, whichever comes first): a killed run loses at
most the last second of files, which rerunning reads again. Cross-filing checks run
after the files, over every current filing, whenever a run (this one or an interrupted
one) changed the set of filings (`dataset.across`: unit by unit, in `jobs` processes).

Reading, normalizing and the per-filing checks run in this process (`jobs=1`), in
worker processes (`jobs>1`, `dataset.parallel`) or on a Dask cluster (`scheduler`,
`dataset.cluster`); whichever, this process alone writes the dataset, in the order of
the paths, so the dataset is the same.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from collections import Counter
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

import rules
from dataset.across import across_rows
from dataset.db import DEFAULT_DB, connect
from dataset.rows import FilingRows, filing_rows, insert_filing, insert_rows
from dataset.runtemp import remove_dead_runs
from rules.model import NotChecked
from shenbao.api import FileResult, process_files
from shenbao.commands.paths import expand_paths

FILE_TIMEOUT = 120.0  # seconds one file may take in a worker process
MEMORY_LIMIT = 2 * 2**30  # bytes of address space one file may take in a worker process
# A commit writes every page the files changed since the last one, each index's included:
# committing each file alone wrote 15 times the dataset's size.
GROUP_FILES = 64
GROUP_SECONDS = 1.0


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
    jobs: int = 1,
    file_timeout: float = FILE_TIMEOUT,
    memory_limit: int = MEMORY_LIMIT,
    scheduler: str | None = None,
) -> IngestReport:
    """Load the filings in `paths` (files, or directories searched recursively) into the
    dataset at `db_path`, with their findings. Never raises for a bad input file: it gets
    a `files` row with status failed and is listed in the report. `process` reads files,
    one FileResult each, in order (default `shenbao.api.process_files`, which batches
    conversions; tests inject their own); `on_file(path, reason)` is called after each
    file with the reason it failed or None (progress, naming failures as they happen).

    `jobs` > 1 reads in that many worker processes, each file stopped after
    `file_timeout` seconds or `memory_limit` bytes; `scheduler` (``tcp://host:8786``)
    reads on that Dask cluster instead, its workers opening the paths themselves, under
    the same limits."""
    report = IngestReport(str(db_path))
    remove_dead_runs()  # whichever way this run reads, the leftovers of killed ones go
    conn = connect(db_path)
    writer = _Writer(conn)
    try:
        conn.execute("PRAGMA journal_mode = WAL")  # readers (shenbao serve) keep reading while we write
        conn.execute("PRAGMA synchronous = NORMAL")  # durable across a crashed process, one fsync per checkpoint
        conn.execute("PRAGMA temp_store = MEMORY")  # the savepoints' statement journals, else files in /var/tmp
        own = {os.path.abspath(f"{db_path}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")}
        given = (p for p in expand_paths([str(p) for p in paths]) if os.path.abspath(p) not in own)
        todos = _todos(writer, given, report, on_file)
        with closing(_read(todos, process, check_filing, jobs, file_timeout, memory_limit, scheduler)) as done:
            for todo, processed in done:
                reason = _load(writer, todo, processed, report)
                if on_file:
                    on_file(todo.path, reason)
        writer.commit()  # the cross-filing checks' processes read what is committed
        if _meta(conn, "across_stale") == "1":
            _recheck_across(writer, db_path, check_across, 1 if scheduler else jobs, report)
        _count_current(conn, report)
    finally:
        writer.keep_loaded()
        _close(conn)
    return report


@dataclass
class Processed:
    """One file read, its filings checked and made into rows: what the loader writes,
    made in this process, a worker process or a cluster. `result` keeps no declarations;
    they travel as `filings`, plain rows that are cheap to send between processes."""

    result: FileResult
    filings: list[FilingRows] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # checks that crashed: filing kept, checks missing


def read_and_check(paths: list[str], process: Callable = process_files,
                   check_filing: Callable = rules.check_filing) -> Iterator[Processed]:
    """Each file read (`process`, in order) and its filings checked."""
    for result in process(paths):
        yield checked(result, check_filing)


def checked(result: FileResult, check_filing: Callable = rules.check_filing) -> Processed:
    """A file's filings checked and made into rows, segmented for the search index (all
    of loading but the writes, done where the file is read); a rule's bug must not lose
    the filing."""
    done = Processed(replace(result, declarations=[]))
    for decl in result.declarations:
        try:
            checks = check_filing(decl)
        except Exception as exc:
            reason = f"the checks crashed ({type(exc).__name__}: {exc})"
            done.warnings.append(f"{decl.source.path}: {reason}")
            checks = rules.CheckResult(not_checked=[NotChecked(code="*", declaration=decl.id, reason=reason)])
        decl.source.path = storable(decl.source.path)
        done.filings.append(filing_rows(decl, checks))
    return done


def _read(todos: Iterator[_Pending], process, check_filing, jobs: int, file_timeout: float, memory_limit: int,
          scheduler: str | None) -> Iterator[tuple[_Pending, Processed]]:
    """Each file to read with what became of it, in order, wherever the reading runs."""
    if scheduler:
        from dataset.cluster import cluster_map
        from dataset.parallel import Limits

        yield from cluster_map(todos, scheduler, Limits(file_timeout, memory_limit), process, check_filing)
    elif jobs > 1:
        from dataset.parallel import Limits, parallel_map

        yield from parallel_map(todos, jobs, Limits(file_timeout, memory_limit), process, check_filing)
    else:  # every file hashed first, then read in one stream (process batches .doc conversions)
        pending = list(todos)
        yield from zip(pending, read_and_check([todo.path for todo in pending], process, check_filing))


def _todos(writer: _Writer, paths: Iterable[str], report: IngestReport, on_file) -> Iterator[_Pending]:
    """The files to read, lazily: those already in the dataset are skipped (and reported
    done to `on_file`) as the stream reaches them."""
    for path in paths:
        todo = _unless_known(writer, path, report)
        if todo:
            yield todo
        elif on_file:
            on_file(path, None)


@dataclass(frozen=True)
class _Pending:
    """A file to read: as given, absolute, and its size, mtime and hash before reading."""

    path: str
    where: str
    size: int | None
    mtime: int | None
    sha: str | None


def _unless_known(writer: _Writer, path: str, report: IngestReport) -> _Pending | None:
    """The file to read, or None when its content is already in the dataset (counted as
    skipped; a version changed back at the same path becomes current again)."""
    where = storable(os.path.abspath(path))
    size, mtime = _stat(path)
    if size is not None and writer.conn.execute(
            "SELECT 1 FROM files WHERE path = ? AND size = ? AND mtime_ns = ? AND status = 'ok' AND superseded = 0",
            (where, size, mtime)).fetchone():
        report.skipped += 1
        return None
    todo = _Pending(path, where, size, mtime, _sha256(path))
    return None if _skip_known_content(writer, todo, todo.sha, report) else todo


def _skip_known_content(writer: _Writer, todo: _Pending, sha: str | None, report: IngestReport) -> bool:
    conn = writer.conn
    known = sha and conn.execute("SELECT id, path FROM files WHERE sha256 = ? AND status = 'ok'", (sha,)).fetchone()
    if not known:
        return False
    if known[1] == todo.where:  # touched, or changed back to an earlier version
        with writer.change():
            conn.execute("UPDATE files SET size = ?, mtime_ns = ? WHERE id = ?", (todo.size, todo.mtime, known[0]))
            report.superseded += _make_current(conn, known[0], todo.where)
    report.skipped += 1  # else a copy of a file already in, under another path
    return True


def _load(writer: _Writer, todo: _Pending, processed: Processed, report: IngestReport) -> str | None:
    """One file's rows, all or none. Returns the reason it failed, or None."""
    conn = writer.conn
    result = processed.result
    if todo.sha and result.sha256 and result.sha256 != todo.sha:  # rewritten between hashing and reading
        result = FileResult(todo.path, "failed", reason="changed while it was being read; ingest it again")
    sha = result.sha256 or todo.sha
    filings = processed.filings if result.status == "ok" else []
    if result.status == "ok" and _skip_known_content(writer, todo, sha, report):  # listed twice in this run
        return None
    report.read += 1
    try:
        with writer.change():
            file_id = _file_row(conn, todo, sha, result, len(filings))
            if result.status == "ok":
                superseded = _make_current(conn, file_id, todo.where)
                for rows in filings:
                    insert_filing(conn, rows, file_id)
                if filings:
                    _set_meta(conn, "across_stale", "1")
        if result.status == "ok":
            report.superseded += superseded
            report.filings += len(filings)
            report.warnings += processed.warnings
    except (sqlite3.IntegrityError, sqlite3.InterfaceError) as exc:
        # a record the dataset cannot hold (e.g. two filings with one id): keep the file as failed
        result = FileResult(todo.path, "failed", sha, result.format, reason=f"could not be stored: {exc}")
        with writer.change():
            _file_row(conn, todo, sha, result)
    if result.status == "ok":
        return None
    report.failed.append((storable(todo.path), result.reason or "unknown reason"))
    return report.failed[-1][1]


def _file_row(conn, todo: _Pending, sha: str | None, result: FileResult, filings: int = 0) -> int:
    """Insert the file's row, or update in place the row of an earlier failed attempt at
    the same content (or the same unopenable path), so a rerun adds no row."""
    row = conn.execute("SELECT id FROM files WHERE sha256 = ?" if sha else
                       "SELECT id FROM files WHERE sha256 IS NULL AND path = ?", (sha or todo.where,)).fetchone()
    values = (todo.where, sha, todo.size, todo.mtime, result.format, result.status, result.reason,
              filings, datetime.now(timezone.utc).isoformat(timespec="seconds"))
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


def _recheck_across(writer: _Writer, db_path, check_across, jobs: int, report: IngestReport) -> None:
    """Replace the cross-filing findings by a fresh run over every current filing."""
    conn = writer.conn
    try:
        found = across_rows(conn, db_path, check_across, jobs)
        with writer.change():
            conn.execute("DELETE FROM findings WHERE scope = 'across'")
            insert_rows(conn, "findings", found)
            _set_meta(conn, "across_stale", "0")
        writer.commit()
    except Exception as exc:  # keep the previous cross-filing findings; the next run retries
        report.warnings.append(f"cross-filing checks failed ({type(exc).__name__}: {exc}); "
                               "the previous cross-filing findings are kept")


def _count_current(conn, report: IngestReport) -> None:
    report.current_filings = conn.execute("SELECT count(*) FROM filings WHERE superseded = 0").fetchone()[0]
    report.findings_by_severity = dict(Counter(dict(conn.execute(
        "SELECT x.severity, count(*) FROM findings x JOIN filings f ON f.id = x.filing_id "
        "WHERE f.superseded = 0 GROUP BY x.severity"))))


class _Writer:
    """The dataset's one writing connection, committing changes in groups. A group ends
    `GROUP_SECONDS` after the last commit, so when files come slowly (scans) each is
    committed as soon as it is loaded, not held open while the next one is read."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.changes = 0  # since the last commit
        self.committed = time.monotonic()  # time of the last commit (or of opening)

    @contextmanager
    def change(self):
        """One file's changes, kept or undone whole (a savepoint), committed with its group."""
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("SAVEPOINT change")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK TO change")
            self.conn.execute("RELEASE change")
            raise
        self.conn.execute("RELEASE change")
        self.changes += 1
        if self.changes >= GROUP_FILES or time.monotonic() - self.committed >= GROUP_SECONDS:
            self.commit()

    def commit(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")
        self.changes = 0
        self.committed = time.monotonic()

    def keep_loaded(self) -> None:
        """Commit the files loaded whole before the run was interrupted (a failing file's
        savepoint is undone already); the error that interrupted it is the one to report."""
        try:
            self.commit()
        except sqlite3.Error:
            pass


def _meta(conn, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row and row[0]


def _set_meta(conn, key: str, value: str) -> None:
    conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                 (key, value))


def storable(path: str) -> str:
    """The path as text SQLite (UTF-8) can hold and a terminal can print: a file name
    that is not UTF-8 keeps its odd bytes as ``\\xNN``."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")


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

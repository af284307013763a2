"""The cross-filing checks over every current filing in the dataset, run after ingest.

The rules compare filings of one filing unit only (`rules.unit_key`), so the dataset is
checked unit by unit: memory holds one unit's records however large the dataset, and a
filing alone in its unit is not even parsed. With `jobs` > 1 the units are shared out
among forked processes that read their records from the dataset themselves (WAL mode
lets them read beside ingest's idle connection), so this last, otherwise serial step of
a run uses every core too.
"""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable

import rules
from dataset.rows import finding_rows
from normalize.model import Declaration

FILINGS_PER_TASK = 64  # units are sent to a process in batches of about this many filings


def across_rows(conn: sqlite3.Connection, db_path: str | Path, check_across: Callable, jobs: int = 1) -> list[dict]:
    """The `findings` rows (scope across) of `check_across` over every current filing."""
    units = _units(conn)
    if jobs < 2 or len(units) < 2:
        return _check(conn, units, check_across)
    context = multiprocessing.get_context("fork")  # the workers inherit check_across, which need not pickle
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_open, initargs=(db_path, check_across)) as pool:
        return [row for rows in pool.map(_check_in_worker, _batches(units)) for row in rows]


def _units(conn: sqlite3.Connection) -> list[list[int]]:
    """The `seq` of each current filing, by filing unit, for units of two filings or more."""
    units: dict[str, list[int]] = defaultdict(list)
    for seq, unit in conn.execute("SELECT seq, filing_unit FROM filings WHERE superseded = 0 ORDER BY seq"):
        if (key := rules.unit_key(unit)) is not None:
            units[key].append(seq)
    return [seqs for seqs in units.values() if len(seqs) > 1]


def _check(conn: sqlite3.Connection, units: list[list[int]], check_across: Callable) -> list[dict]:
    return [row for seqs in units for row in finding_rows(check_across(_declarations(conn, seqs)).findings, "across")]


def _declarations(conn: sqlite3.Connection, seqs: list[int]) -> list[Declaration]:
    return [Declaration.from_json(json.loads(text)) for (text,) in conn.execute(
        "SELECT record_json FROM filings WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY seq",
        (json.dumps(seqs),))]


def _batches(units: list[list[int]]) -> list[list[list[int]]]:
    batches: list[list[list[int]]] = [[]]
    size = 0
    for seqs in units:
        if size >= FILINGS_PER_TASK:
            batches.append([])
            size = 0
        batches[-1].append(seqs)
        size += len(seqs)
    return batches


_worker: tuple[sqlite3.Connection, Callable] | None = None  # this process's dataset and checks


def _open(db_path: str | Path, check_across: Callable) -> None:
    global _worker
    _worker = (sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True), check_across)


def _check_in_worker(units: list[list[int]]) -> list[dict]:
    conn, check_across = _worker
    return _check(conn, units, check_across)

"""Running an ingest in a child process that a test can SIGKILL, and watching its progress."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import fixtures

# The stand-in reader and checks keep a thousand files fast; loading is what is under test.
INGEST = """
import importlib, sys
import fixtures
from dataset import ingest
module, name = sys.argv[4].split(":")
ingest([sys.argv[1]], sys.argv[2], jobs=int(sys.argv[3]), process=getattr(importlib.import_module(module), name),
       check_filing=fixtures.quick_check_filing, check_across=fixtures.quick_check_across)
"""
TESTS = str(Path(__file__).parent)
SLEEPER = "sleeps.txt"


def start_ingest(archive, db, jobs: int = 1, tmp=None,
                 reader: str = "fixtures:process_files_from_gold") -> subprocess.Popen:
    """`reader` is MODULE:FUNCTION, taking paths (a module here in tests/ will do)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [TESTS, os.environ.get("PYTHONPATH")]))}
    if tmp:
        env["TMPDIR"] = str(tmp)
    return subprocess.Popen([sys.executable, "-c", INGEST, str(archive), str(db), str(jobs), reader], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def sleeping_reader(paths: list[str]):
    """The stand-in reader, except that on a file named `SLEEPER` it writes a temporary
    file and sleeps, as a long LibreOffice conversion would."""
    for path in paths:
        if Path(path).name == SLEEPER:
            tempfile.mkstemp(prefix="converting-")
            time.sleep(300)
        yield fixtures.process_from_gold(path)


def files_done(db) -> int:
    """Files the dataset has recorded so far (0 before it exists)."""
    try:
        conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("SELECT count(*) FROM files").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0

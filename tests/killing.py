"""Running an ingest in a child process that a test can SIGKILL, and watching its progress."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

# The stand-in reader and checks keep a thousand files fast; loading is what is under test.
INGEST = """
import sys
from dataset import fixtures, ingest
ingest([sys.argv[1]], sys.argv[2], jobs=int(sys.argv[3]), process=fixtures.process_files_from_gold,
       check_filing=fixtures.quick_check_filing, check_across=fixtures.quick_check_across)
"""


def start_ingest(archive, db, jobs: int = 1, tmp=None) -> subprocess.Popen:
    env = {**os.environ, "TMPDIR": str(tmp)} if tmp else None
    return subprocess.Popen([sys.executable, "-c", INGEST, str(archive), str(db), str(jobs)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


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

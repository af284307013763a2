"""One temporary directory per ingest run, and the leftovers of killed runs removed.

Worker processes keep their temporary files (LibreOffice's profile and conversions) in
the run's directory under $TMPDIR, so a run writes nothing outside the dataset and this
directory, which is removed when the run ends. A run killed with SIGKILL cannot remove
it, so every ingest first removes the directories of runs whose process is gone: its
own kind, and LibreOffice's directories of `--jobs 1` ingests and `shenbao extract`
(`extract.doc`). The name records the host and process id of its run: several runs may
share $TMPDIR (two ingests into two datasets, tasks on one Dask worker, containers
sharing a volume), and a live run's directory must stay.
"""

from __future__ import annotations

import glob
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from extract.doc import owned_prefix, remove_work

KINDS = ("ingest", "doc")  # an ingest run's directory; one process's LibreOffice directory


@contextmanager
def run_temp_dir() -> Iterator[str]:
    """A new directory ``shenbao-ingest-HOST-PID-XXXXXXXX`` in $TMPDIR, removed on exit."""
    remove_dead_runs()
    path = tempfile.mkdtemp(prefix=f"{owned_prefix('ingest')}{os.getpid()}-")
    try:
        yield path
    finally:
        remove_work(Path(path))


def remove_dead_runs() -> None:
    """Remove the temporary directories in $TMPDIR of this host's processes that are gone."""
    for kind in KINDS:
        owner = owned_prefix(kind)
        for leftover in Path(tempfile.gettempdir()).glob(glob.escape(owner) + "*"):
            pid = leftover.name[len(owner):].split("-", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                remove_work(leftover)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True

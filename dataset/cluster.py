"""Reading files on a Dask cluster for `ingest --scheduler tcp://HOST:8786`.

The cluster's workers read, normalize and check the files (they open the paths
themselves, so the archive must be at the same path on every worker, e.g. a shared
mount); the records come back and this process loads them, in the order of the paths,
then runs the cross-filing checks once. Files go out in tasks of `FILES_PER_TASK`, at
most `TASKS_PER_THREAD` tasks per worker thread in flight, so memory stays flat on both
sides.

A task reads its files the way `ingest --jobs` does (`dataset.parallel`), in a child
process of the Dask worker under the same per-file limits: a file that hangs past
`--file-timeout`, takes more than `--memory-limit` or crashes its reader fails with that
reason, its child is killed (with LibreOffice, if it started one) and replaced, and the
worker goes on with the next file. Each worker thread keeps its child from task to task,
warm (a fresh one spends about a second loading spaCy and the lexicons). The cluster's
own limits still hold (``dask worker --memory-limit``): a task whose Dask worker died
`KILLED_RETRIES` + 1 times fails each of its files with that reason.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from itertools import islice
from typing import Callable, Iterable, Iterator, TypeVar

from dataset.parallel import Limits, read_in_kept_worker
from dataset.pipeline import Processed
from shenbao.api import FileResult

T = TypeVar("T")  # an item with a `.path`: the pipeline's pending file
FILES_PER_TASK = 8
TASKS_PER_THREAD = 2
KILLED_RETRIES = 1


def cluster_map(items: Iterable[T], scheduler: str, limits: Limits, process: Callable,
                check_filing: Callable) -> Iterator[tuple[T, Processed]]:
    """(item, Processed) for each item, in order, read on the cluster at `scheduler`."""
    from distributed import Client

    with Client(scheduler, set_as_default=False) as client:
        window = max(1, sum(client.nthreads().values())) * TASKS_PER_THREAD
        in_flight: deque = deque()
        items = iter(items)
        while chunk := list(islice(items, FILES_PER_TASK)):
            in_flight.append((chunk, client.submit(read_chunk, chunk, limits, process, check_filing, pure=False,
                                                   retries=KILLED_RETRIES)))
            if len(in_flight) >= window:
                yield from _outcomes(*in_flight.popleft())
        while in_flight:
            yield from _outcomes(*in_flight.popleft())


def read_chunk(items: list[T], limits: Limits, process: Callable, check_filing: Callable) -> list[Processed]:
    """What runs on a cluster worker: the files read and checked in a child process."""
    # A Dask worker is a daemonic process, which multiprocessing forbids to start
    # children lest they outlive it; the reading child dies with it (PR_SET_PDEATHSIG).
    multiprocessing.current_process().daemon = False
    return read_in_kept_worker(items, limits, process, check_filing)


def _outcomes(chunk: list[T], future) -> Iterator[tuple[T, Processed]]:
    try:
        results = future.result()
    except Exception as exc:  # the worker died on it (KilledWorker), or the result could not come back
        reason = f"the cluster could not read it ({type(exc).__name__}: {exc})".splitlines()[0]
        results = [Processed(FileResult(item.path, "failed", reason=reason)) for item in chunk]
    return zip(chunk, results, strict=True)

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
own limits still hold (``dask worker --memory-limit``): when a task's Dask worker dies,
its files go out again one at a time, each in a task of its own, so that only the file
the worker died on fails.
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
FILES_PER_TASK = 32  # fewer, larger tasks: per task, the scheduler and client cost this process milliseconds
TASKS_PER_THREAD = 2
ALONE_TRIES = 2


def cluster_map(items: Iterable[T], scheduler: str, limits: Limits, process: Callable,
                check_filing: Callable) -> Iterator[tuple[T, Processed]]:
    """(item, Processed) for each item, in order, read on the cluster at `scheduler`."""
    from distributed import Client

    with Client(scheduler, set_as_default=False) as client:
        def submit(chunk: list[T]):
            return client.submit(read_chunk, chunk, limits, process, check_filing, pure=False)

        window = max(1, sum(client.nthreads().values())) * TASKS_PER_THREAD
        in_flight: deque = deque()
        items = iter(items)
        while chunk := list(islice(items, FILES_PER_TASK)):
            in_flight.append((chunk, submit(chunk)))
            if len(in_flight) >= window:
                yield from _outcomes(*in_flight.popleft(), submit)
        while in_flight:
            yield from _outcomes(*in_flight.popleft(), submit)


def read_chunk(items: list[T], limits: Limits, process: Callable, check_filing: Callable) -> list[Processed]:
    """What runs on a cluster worker: the files read and checked in a child process."""
    # A Dask worker is a daemonic process, which multiprocessing forbids to start
    # children lest they outlive it; the reading child dies with it (PR_SET_PDEATHSIG).
    multiprocessing.current_process().daemon = False
    return read_in_kept_worker(items, limits, process, check_filing)


def _outcomes(chunk: list[T], future, submit: Callable) -> Iterator[tuple[T, Processed]]:
    try:
        return zip(chunk, future.result(), strict=True)
    except Exception:  # its worker died on it (KilledWorker), or the result could not come back
        return (_alone(item, submit) for item in chunk)


def _alone(item: T, submit: Callable) -> tuple[T, Processed]:
    """The file read in a task of its own, one at a time so that no other file can take
    its worker down with it; tried `ALONE_TRIES` times, as a worker may still die of a
    file in another task."""
    for _ in range(ALONE_TRIES):
        try:
            [processed] = submit([item]).result()
            return item, processed
        except Exception as exc:
            reason = f"the cluster could not read it ({type(exc).__name__}: {exc})".splitlines()[0]
    return item, Processed(FileResult(item.path, "failed", reason=reason))

"""Reading files on a Dask cluster for `ingest --scheduler tcp://HOST:8786`.

The cluster's workers read, normalize and check each file (they open the paths
themselves, so the archive must be at the same path on every worker, e.g. a shared
mount); the records come back and this process loads them, in the order of the paths,
then runs the cross-filing checks once. At most `WINDOW_PER_WORKER` files per worker
are in flight, so memory stays flat on both sides.

Limits on a cluster are the cluster's: a worker's memory limit is set when it is
started (``dask worker --memory-limit``), and its nanny restarts a worker that exceeds
it; a file whose worker died that way `KILLED_RETRIES` times fails with that reason.
There is no per-file time limit here (a hung file holds its worker's thread).
"""

from __future__ import annotations

from collections import deque
from typing import Callable, Iterable, Iterator, TypeVar

from dataset.pipeline import Processed, read_and_check
from shenbao.api import FileResult

T = TypeVar("T")  # an item with a `.path`: the pipeline's pending file
WINDOW_PER_WORKER = 8  # per worker thread
KILLED_RETRIES = 1


def cluster_map(items: Iterable[T], scheduler: str, process: Callable,
                check_filing: Callable) -> Iterator[tuple[T, Processed]]:
    """(item, Processed) for each item, in order, read on the cluster at `scheduler`."""
    from distributed import Client

    with Client(scheduler, set_as_default=False) as client:
        window = max(1, sum(client.nthreads().values())) * WINDOW_PER_WORKER
        in_flight: deque = deque()
        for item in items:
            in_flight.append((item, client.submit(read_one, item.path, process, check_filing, pure=False,
                                                  retries=KILLED_RETRIES)))
            if len(in_flight) >= window:
                yield _outcome(*in_flight.popleft())
        while in_flight:
            yield _outcome(*in_flight.popleft())


def read_one(path: str, process: Callable, check_filing: Callable) -> Processed:
    """What runs on a cluster worker: one file read and checked."""
    return next(read_and_check([path], process, check_filing))


def _outcome(item: T, future) -> tuple[T, Processed]:
    try:
        return item, future.result()
    except Exception as exc:  # the worker died on it (KilledWorker), or the result could not come back
        reason = f"the cluster could not read it ({type(exc).__name__}: {exc})"
        return item, Processed(FileResult(item.path, "failed", reason=reason.splitlines()[0]))

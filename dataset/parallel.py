"""Reading files in worker processes for `ingest --jobs N`, one file never stopping the run.

Each worker (forked, so it starts in milliseconds with everything imported) reads,
normalizes and checks the paths it is sent and sends back one `Processed` per file; the
parent writes the dataset. Results come out in the order the files went in, so the
dataset is the same whatever N; at most `WINDOW_PER_JOB` files per worker are between
the stream of paths and the dataset, so memory stays flat however large the archive.

A file that takes longer than `Limits.file_timeout` has its worker killed (with any
program it started, e.g. LibreOffice) and replaced; one that needs more than
`Limits.memory_limit` of address space fails its allocation in the worker (RLIMIT_AS)
and the worker is replaced, its heap being suspect. A worker that dies (a reader's
segfault) fails the file it was on. Each failure is a reason in the `files` table, and
the run goes on. Workers keep their temporary files (LibreOffice conversions) in one
directory of the run, removed at the end whatever happened to them.
"""

from __future__ import annotations

import atexit
import gc
import multiprocessing
import os
import resource
import signal
import sys
import tempfile
import threading
import time
from collections import deque
from contextlib import ExitStack
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Callable, Iterable, Iterator, TypeVar

from dataset.pipeline import Processed, read_and_check
from dataset.runtemp import run_temp_dir
from dataset.search import segment
from shenbao.api import FileResult

T = TypeVar("T")  # an item with a `.path`: the pipeline's pending file
WINDOW_PER_JOB = 4  # files per worker between the stream of paths and the dataset
AHEAD = 2  # files sent to a worker before it answers, so it never waits for the parent to send the next
DOC_SUFFIXES = (".doc", ".rtf")
DOC_CHUNK = 16  # legacy Word files sent together, so one LibreOffice run converts them all


@dataclass(frozen=True)
class Limits:
    file_timeout: float  # seconds
    memory_limit: int  # bytes of address space beyond what a fresh worker uses


def memory_text(limit: int) -> str:
    return f"{limit / 2**30:g} GiB" if limit >= 2**30 else f"{limit / 2**20:g} MiB"


def parallel_map(items: Iterable[T], jobs: int, limits: Limits, process: Callable,
                 check_filing: Callable) -> Iterator[tuple[T, Processed]]:
    """(item, Processed) for each item, in order, read by `jobs` worker processes."""
    with run_temp_dir() as run_tmp:
        pool = _Pool(jobs, limits, _Work(process, check_filing, limits.memory_limit, run_tmp))
        try:
            yield from pool.map(iter(items), jobs * WINDOW_PER_JOB)
        finally:
            pool.close()


@dataclass(frozen=True)
class _Work:
    """What a worker runs: inherited through fork, so any callable will do (tests inject readers)."""

    process: Callable
    check_filing: Callable
    memory_limit: int
    tmp: str


@dataclass
class _Worker:
    proc: multiprocessing.Process
    conn: Connection
    chunk: deque = field(default_factory=deque)  # (index, item) sent, not yet answered
    since: float = 0.0  # when its current file started


class _Pool:
    def __init__(self, jobs: int, limits: Limits, work: _Work):
        self.jobs, self.limits, self.work = jobs, limits, work
        self.context = multiprocessing.get_context("fork")
        self.workers: list[_Worker] = []  # started with the first file to read

    def _start_all(self) -> None:
        segment("项目")  # the segmenter's dictionary loaded once, shared by the forked workers
        # Frozen when forked, what the workers inherit is left alone by their garbage
        # collector, which would spend time scanning it and copy the pages they share.
        gc.freeze()
        try:
            self.workers = [self._start() for _ in range(self.jobs)]
        finally:
            gc.unfreeze()

    def map(self, items: Iterator[T], window: int) -> Iterator[tuple[T, Processed]]:
        queue: deque[tuple[int, T]] = deque()  # not yet sent to a worker
        done: dict[int, tuple[T, Processed]] = {}
        taken = emitted = 0
        exhausted = False
        while True:
            while not exhausted and taken - emitted < window:
                item = next(items, None)
                if item is None:
                    exhausted = True
                else:
                    queue.append((taken, item))
                    taken += 1
            if queue and not self.workers:
                self._start_all()
            for worker in self.workers:
                while queue and len(worker.chunk) < AHEAD:
                    self._send(worker, _take_chunk(queue))
            while emitted in done:
                yield done.pop(emitted)
                emitted += 1
            if exhausted and emitted == taken:
                return
            if any(w.chunk for w in self.workers):  # else every file sent was loaded: fetch more first
                self._collect(queue, done)

    def _collect(self, queue: deque, done: dict) -> None:
        """Wait for the next answer (or a deadline) and file it under its item's index."""
        busy = [w for w in self.workers if w.chunk]
        deadline = min(w.since for w in busy) + self.limits.file_timeout
        for conn in wait([w.conn for w in busy], timeout=max(0.0, deadline - time.monotonic())):
            worker = next(w for w in busy if w.conn is conn)
            try:
                processed = conn.recv()
            except (EOFError, OSError):
                self._after_death(worker, queue, done)
                continue
            index, item = worker.chunk.popleft()
            done[index] = (item, processed)
            worker.since = time.monotonic()
            if processed.result.reason == _OUT_OF_MEMORY:
                processed.result.reason = f"exceeded the {memory_text(self.limits.memory_limit)} memory limit"
        now = time.monotonic()
        for worker in busy:
            if worker.chunk and now - worker.since >= self.limits.file_timeout:
                self._fail_first(worker, queue, done, f"timed out after {self.limits.file_timeout:g} s")

    def _after_death(self, worker: _Worker, queue: deque, done: dict) -> None:
        """A worker that stopped by itself (after answering a file it could not finish)
        is replaced; one that crashed fails the file it was on."""
        worker.proc.join(timeout=5)
        code = worker.proc.exitcode
        if code == 0:
            queue.extendleft(reversed(worker.chunk))
            worker.chunk.clear()
            self._replace(worker)
        elif code is not None and code < 0:
            self._fail_first(worker, queue, done, f"the reader crashed on this file ({signal.Signals(-code).name})")
        else:
            self._fail_first(worker, queue, done, f"the reader crashed on this file (exit status {code})")

    def _fail_first(self, worker: _Worker, queue: deque, done: dict, reason: str) -> None:
        """The worker's current file fails with `reason`; the worker is replaced and
        the rest of its chunk goes back to the front of the queue."""
        index, item = worker.chunk.popleft()
        done[index] = (item, Processed(FileResult(item.path, "failed", reason=reason)))
        queue.extendleft(reversed(worker.chunk))
        worker.chunk.clear()
        self._replace(worker)

    def _send(self, worker: _Worker, chunk: list[tuple[int, T]]) -> None:
        if not worker.chunk:  # else it is still on an earlier file, whose clock runs on
            worker.since = time.monotonic()
        worker.chunk.extend(chunk)
        try:
            worker.conn.send([item.path for _, item in chunk])
        except OSError:  # it died idle: the wait sees it gone and handles it
            pass

    def _start(self) -> _Worker:
        parent, child = self.context.Pipe()
        proc = self.context.Process(target=_serve, args=(child, self.work), daemon=True)
        proc.start()
        child.close()
        return _Worker(proc, parent)

    def _replace(self, worker: _Worker) -> None:
        _kill_tree(worker.proc.pid)
        worker.proc.join()
        worker.conn.close()
        self.workers[self.workers.index(worker)] = self._start()

    def close(self) -> None:
        """Idle workers are told to stop; busy ones (the run was interrupted) are killed."""
        for worker in self.workers:
            try:
                if not worker.chunk:
                    worker.conn.send(None)
            except OSError:
                pass
        for worker in self.workers:
            if not worker.chunk:
                worker.proc.join(timeout=5)
            if worker.proc.is_alive():
                _kill_tree(worker.proc.pid)
                worker.proc.join()
            worker.conn.close()


def _take_chunk(queue: deque) -> list:
    """The next file, with the legacy Word files right after it if it is one."""
    chunk = [queue.popleft()]
    while (queue and len(chunk) < DOC_CHUNK and chunk[0][1].path.lower().endswith(DOC_SUFFIXES)
           and queue[0][1].path.lower().endswith(DOC_SUFFIXES)):
        chunk.append(queue.popleft())
    return chunk


_OUT_OF_MEMORY = "out of memory"  # a worker's reason, which the parent words with the limit


def _serve(conn: Connection, work: _Work) -> None:
    """A worker's life: read the chunks it is sent until told to stop (None), one answer
    per file. After an allocation failed, or an error escaped the reading, it answers
    for that file and exits (status 0) to be replaced by a fresh worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _die_with_parent()
    _private_temp(work.tmp)
    if work.memory_limit:
        _limit_address_space(work.memory_limit)
    try:
        _answer(conn, work)
    except (EOFError, OSError):  # the parent is gone
        pass


def _answer(conn: Connection, work: _Work) -> None:
    while (paths := conn.recv()) is not None:
        results = read_and_check(paths, work.process, work.check_filing)
        for path in paths:
            stop = False
            try:
                processed = next(results)
                if "MemoryError" in (processed.result.reason or ""):  # how the api words a reader's MemoryError
                    processed, stop = _failed(processed.result.path, _OUT_OF_MEMORY), True
            except MemoryError:
                processed, stop = _failed(path, _OUT_OF_MEMORY), True
            except Exception as exc:  # process_files never raises; an injected one might
                processed, stop = _failed(path, f"internal error while reading ({type(exc).__name__}: {exc})"), True
            try:
                conn.send(processed)
            except MemoryError:
                conn.send(_failed(path, _OUT_OF_MEMORY))
                stop = True
            if stop:
                return


def _failed(path: str, reason: str) -> Processed:
    return Processed(FileResult(path, "failed", reason=reason))


def _die_with_parent() -> None:
    """SIGKILL this worker when the parent dies, even by SIGKILL (Linux), rather than
    leave it reading a file nobody will load."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _private_temp(run_tmp: str) -> None:
    """Temporary files under the run's directory, and no state inherited from the
    parent's LibreOffice work directory (each process needs its own profile)."""
    os.environ["TMPDIR"] = tempfile.tempdir = tempfile.mkdtemp(prefix="worker-", dir=run_tmp)
    doc = sys.modules.get("extract.doc")
    if doc is not None:
        doc._workdir = None
        doc._prepared.clear()


def _limit_address_space(limit: int) -> None:
    """RLIMIT_AS at what the worker uses now plus `limit`: the libraries a worker has
    loaded already reserve address space that says nothing of the file."""
    pages = int(Path("/proc/self/statm").read_text().split()[0]) if Path("/proc/self/statm").exists() else 0
    soft = pages * os.sysconf("SC_PAGE_SIZE") + limit
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _kill_tree(pid: int) -> None:
    """SIGKILL a worker and every process below it (LibreOffice runs in its own session,
    so killing the worker alone would leave it running)."""
    for child in _descendants(pid):
        _signal(child)
    _signal(pid)


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            for child in map(int, children.read_text().split()):
                found += [child, *_descendants(child)]
        except OSError:
            pass
    return found


def _signal(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


_kept = threading.local()  # this thread's (key, ExitStack, _Pool), for `read_in_kept_worker`


def read_in_kept_worker(items: list[T], limits: Limits, process: Callable, check_filing: Callable) -> list[Processed]:
    """Each item read and checked, in order, by one worker process that this thread keeps
    from call to call (a Dask worker's thread, `dataset.cluster`). Kept, the worker stays
    warm (libraries loaded, caches full) as `parallel_map`'s do for a whole run; it is
    replaced like theirs when a file overruns the limits. It dies with the thread
    (PR_SET_PDEATHSIG); it and its temporary directory go when the process exits."""
    key = (limits, process, check_filing)
    kept = getattr(_kept, "pool", None)
    if kept is None or kept[0] != key:
        if kept is not None:
            _drop_kept(kept)
        stack = ExitStack()
        run_tmp = stack.enter_context(run_temp_dir())
        pool = _Pool(1, limits, _Work(process, check_filing, limits.memory_limit, run_tmp))
        stack.callback(pool.close)  # before the directory goes
        atexit.register(stack.close)
        _kept.pool = kept = (key, stack, pool)
    try:
        return [processed for _, processed in kept[2].map(iter(items), WINDOW_PER_JOB)]
    except BaseException:  # the pool may hold half-answered files: start afresh next time
        _drop_kept(kept)
        raise


def _drop_kept(kept: tuple) -> None:
    _kept.pool = None
    atexit.unregister(kept[1].close)
    kept[1].close()


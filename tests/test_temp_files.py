"""Ingest writes nothing outside the dataset and its run's temporary directory, which is
gone at the end; the directory a SIGKILLed run leaves is removed by the next run, and a
live run's directory never is."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

import extract.doc
import fixtures
from corpus.writers import write_document
from dataset import ingest
from extract.readers import read_document
from killing import SLEEPER, start_ingest
from test_parallel import patch_reader


def run_dirs(tmp: Path) -> list[Path]:
    return sorted(tmp.glob("shenbao-ingest-*"))


def test_a_killed_runs_temp_dir_is_removed_by_the_next_run_and_a_live_ones_is_kept(tmp_path):
    archive, other, tmp = tmp_path / "archive", tmp_path / "other", tmp_path / "tmp"
    for d in (archive, other, tmp):
        d.mkdir()
    for v in fixtures.many_variants(4):
        fixtures.write_variant(archive, v)
        fixtures.write_variant(other, v)
    (archive / SLEEPER).write_text("…", encoding="utf-8")

    victim = start_ingest(archive, tmp_path / "a.db", jobs=2, tmp=tmp, reader="killing:sleeping_reader")
    deadline = time.monotonic() + 120
    while not list(tmp.glob("shenbao-ingest-*/worker-*/converting-*")) and time.monotonic() < deadline:
        assert victim.poll() is None, victim.stderr.read()
        time.sleep(0.05)
    [victims_dir] = run_dirs(tmp)

    beside = start_ingest(other, tmp_path / "b.db", jobs=2, tmp=tmp)  # another dataset, same $TMPDIR
    assert beside.wait(timeout=120) == 0, beside.stderr.read()
    assert run_dirs(tmp) == [victims_dir]  # the live run's directory was kept

    victim.send_signal(signal.SIGKILL)
    victim.wait()
    assert run_dirs(tmp) == [victims_dir]  # nobody was left to remove it

    rerun = start_ingest(archive, tmp_path / "a.db", jobs=2, tmp=tmp)
    assert rerun.wait(timeout=120) == 0, rerun.stderr.read()
    assert list(tmp.iterdir()) == []
    for proc in (victim, beside, rerun):
        proc.stderr.close()


def test_the_libreoffice_dir_of_a_killed_reader_is_removed_by_the_next_ingest_even_with_one_job(tmp_path):
    """`shenbao extract` and `ingest --jobs 1` keep LibreOffice's files in a directory of
    their own process; one killed with SIGKILL leaves it, and any later ingest removes it."""
    archive, tmp = tmp_path / "archive", tmp_path / "tmp"
    archive.mkdir()
    tmp.mkdir()
    fixtures.write_variant(archive, fixtures.many_variants(1)[0])
    holds_dir = "import sys, time, extract.doc; print(extract.doc._work(), flush=True); time.sleep(300)"
    reader = subprocess.Popen([sys.executable, "-c", holds_dir], env={**os.environ, "TMPDIR": str(tmp)},
                              stdout=subprocess.PIPE, text=True)
    left = Path(reader.stdout.readline().strip())
    reader.kill()
    reader.wait()
    reader.stdout.close()
    assert left.parent == tmp and left.is_dir()

    start_ingest(archive, tmp_path / "d.db", jobs=1, tmp=tmp).communicate(timeout=120)
    assert list(tmp.iterdir()) == []


# Calls that create or write a file, as strace shows them: the path is the first quoted
# argument (the second for renames and links); failed calls end in "= -1 ERROR".
WRITES = re.compile(r'(?:(?:open|openat|creat)\(.*?"([^"]*)".*(?:O_WRONLY|O_RDWR|O_CREAT)'
                    r'|(?:mkdir|mkdirat|mknodat?)\((?:AT_FDCWD, )?"([^"]*)"'
                    r'|(?:rename|renameat2?|link|linkat|symlink|symlinkat)\(.*"([^"]*)",'
                    r'|bind\(\d+, \{sa_family=AF_UNIX, sun_path="([^"]*)")(?!.*= -1)')


TRACED = "open,openat,creat,mkdir,mkdirat,mknod,mknodat,rename,renameat,renameat2,link,linkat,symlink,symlinkat,bind"


def written(trace_dir: Path) -> set[str]:
    """Every path the traced processes (one trace file each) created or opened for writing."""
    found = set()
    for trace in trace_dir.iterdir():
        for line in trace.read_text(errors="replace").splitlines():
            match = WRITES.match(line)
            if match:
                found.add(next(g for g in match.groups() if g is not None))
    return found


needs_libreoffice = pytest.mark.skipif(shutil.which("soffice") is None and not os.environ.get("CI"),
                                       reason="LibreOffice is not installed")


@needs_libreoffice
def test_ingest_writes_only_the_dataset_and_its_temp_dir(tmp_path):
    """With HOME, $TMPDIR and the working directory empty, an ingest over several formats
    (LibreOffice runs for the .doc) leaves them empty and the archive as it was. Under
    strace, when it is installed, every file written anywhere by ingest or the programs
    it starts is the dataset or in $TMPDIR (but for LibreOffice's socket, removed at the end)."""
    archive, home, tmp, cwd, out = (tmp_path / d for d in ("archive", "home", "tmp", "cwd", "out"))
    for d in (archive, home, tmp, cwd, out):
        d.mkdir()
    seed = read_document(fixtures.SEED_TEXT)
    for fmt in ("txt", "html", "docx", "doc", "xlsx", "pdf"):
        write_document(seed, fmt, archive / f"form.{fmt}")
    before = sorted(p.name for p in archive.iterdir())
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env.update(HOME=str(home), TMPDIR=str(tmp), PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, "-m", "shenbao.cli", "ingest", str(archive), "--db", str(out / "d.db"), "--jobs", "2"]
    traces = tmp_path / "traces"
    if shutil.which("strace"):
        traces.mkdir()
        command = ["strace", "-ff", "-qq", "--seccomp-bpf", "-o", str(traces / "pid"), "-e", f"trace={TRACED}", *command]
    done = subprocess.run(command, cwd=cwd, env={**env, "PYTHONPATH": str(Path(__file__).parents[1])},
                          capture_output=True, text=True, timeout=300)

    assert done.returncode == 0, done.stderr
    assert "Files: 6 read, 0 failed" in done.stdout
    assert [list(d.iterdir()) for d in (home, tmp, cwd)] == [[], [], []]
    assert sorted(p.name for p in archive.iterdir()) == before
    assert [p.name for p in out.iterdir()] == ["d.db"]
    if traces.exists():
        dataset = {str(out / f"d.db{suffix}") for suffix in ("", "-wal", "-shm", "-journal")}
        elsewhere = {p for p in written(traces) if p not in dataset and not p.startswith((str(tmp) + "/", "/dev/"))}
        # LibreOffice's single-instance socket goes to /tmp whatever $TMPDIR says; it must be gone
        sockets = {p for p in elsewhere if Path(p).name.startswith("OSL_PIPE_")}
        assert elsewhere == sockets and sockets and not any(map(os.path.lexists, sockets))


@needs_libreoffice
def test_a_libreoffice_killed_with_its_timed_out_worker_leaves_no_socket(tmp_path, monkeypatch):
    """LibreOffice keeps a socket in /tmp whatever $TMPDIR says; when the worker running it
    times out, both are killed, and the end of the run removes the socket."""
    archive = tmp_path / "archive"
    archive.mkdir()
    fixtures.write_variant(archive, fixtures.Variant())
    (archive / "hangs.txt").write_text(fixtures.variant_text(fixtures.Variant(name="转换不完")), encoding="utf-8")
    bound = tmp_path / "bound"

    def hang(raw):
        """LibreOffice started with nothing to convert runs until it is killed."""
        socket = extract.doc.sockets(extract.doc._work() / "profile")[0]
        outdir = Path(tempfile.mkdtemp())
        threading.Thread(target=extract.doc._run, args=([], "docx", outdir, ".docx"), daemon=True).start()
        while not socket.exists():
            time.sleep(0.05)
        bound.write_text(str(socket))
        time.sleep(300)

    patch_reader(monkeypatch, "hangs.txt", hang)
    report = ingest([archive], tmp_path / "d.db", jobs=2, file_timeout=5)
    assert report.failed == [(str(archive / "hangs.txt"), "timed out after 5 s")]
    assert bound.exists(), "LibreOffice did not open its socket within the time limit"
    assert not Path(bound.read_text()).exists()


@needs_libreoffice
def test_a_libreoffice_left_running_by_a_killed_reader_is_stopped_by_the_next_ingest(tmp_path):
    """LibreOffice runs in a session of its own, so a SIGKILL to the process that started
    it leaves it running (with nothing to convert it would never stop); any later ingest
    stops it with the dead process's directory."""
    archive, tmp = tmp_path / "archive", tmp_path / "tmp"
    archive.mkdir()
    tmp.mkdir()
    fixtures.write_variant(archive, fixtures.many_variants(1)[0])
    runs_libreoffice = ("import pathlib, tempfile, extract.doc; print(extract.doc._work(), flush=True); "
                        "extract.doc._run([], 'docx', pathlib.Path(tempfile.mkdtemp(dir=extract.doc._work())), '.docx')")
    reader = subprocess.Popen([sys.executable, "-c", runs_libreoffice], env={**os.environ, "TMPDIR": str(tmp)},
                              stdout=subprocess.PIPE, text=True)
    work = Path(reader.stdout.readline().strip())
    deadline = time.monotonic() + 60
    while not extract.doc.sockets(work / "profile")[0].exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    reader.kill()
    reader.wait()
    reader.stdout.close()
    orphans = extract.doc.processes_using(work)
    assert orphans, "LibreOffice did not start, or died with the process that started it"

    start_ingest(archive, tmp_path / "d.db", jobs=1, tmp=tmp).communicate(timeout=120)
    assert extract.doc.processes_using(work) == []
    assert list(tmp.iterdir()) == []

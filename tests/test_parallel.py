"""`ingest --jobs N`: worker processes give the same dataset as one process, and a file
that hangs, exhausts memory or crashes its reader fails with a reason while the run goes
on. Readers are replaced for one file name through monkeypatch: workers are forked, so
they inherit the patched reader."""

from __future__ import annotations

import faulthandler
import io
import os
import sys
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

import extract.text
import fixtures
from dataset import ingest
from shenbao.cli import main

VARIANTS = fixtures.many_variants(10)


@pytest.fixture
def archive(tmp_path):
    """Ten variant filings, one not a filing, one empty, one copy of another."""
    inputs = tmp_path / "archive"
    inputs.mkdir()
    first = [fixtures.write_variant(inputs, v) for v in VARIANTS][0]
    (inputs / "notes.txt").write_text("会议纪要，不是申报表", encoding="utf-8")
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "zz copy.txt").write_bytes(first.read_bytes())
    return inputs


def test_same_dataset_with_one_and_two_processes(archive, tmp_path):
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    report_one = ingest([archive], one, jobs=1)
    report_two = ingest([archive], two, jobs=2)
    assert report_two.filings == report_one.filings == len(VARIANTS)
    assert sorted(report_two.failed) == sorted(report_one.failed) and len(report_one.failed) == 2
    dumped = fixtures.dump(two)
    assert dumped["findings"] and dumped["indicators"]
    assert dumped == fixtures.dump(one)


def patch_reader(monkeypatch, name: str, misbehave) -> None:
    """The text reader misbehaves for the file called `name` and reads every other file."""
    read = extract.text.read

    def reader(raw):
        if Path(raw.path).name == name:
            misbehave(raw)
        return read(raw)

    monkeypatch.setattr(extract.text, "read", reader)


def files(db) -> dict[str, tuple[str, str | None]]:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return {Path(p).name: (s, r) for p, s, r in conn.execute("SELECT path, status, reason FROM files")}
    finally:
        conn.close()


def test_a_slow_first_file_does_not_stall_the_pool(archive, tmp_path, monkeypatch):
    """While one worker reads a slow first file, the other reads the rest of the window;
    when the first is done every file sent has been answered, and the pool must fetch
    more files rather than wait for answers that cannot come."""
    first = sorted(p.name for p in archive.iterdir())[0]
    patch_reader(monkeypatch, first, lambda raw: time.sleep(3))
    report = ingest([archive], tmp_path / "slow.db", jobs=2, file_timeout=60)
    assert report.filings == len(VARIANTS)


def test_a_hanging_file_times_out_and_the_run_goes_on(archive, tmp_path, monkeypatch):
    (archive / "hangs.txt").write_text(fixtures.variant_text(fixtures.Variant(name="不会结束的项目")), encoding="utf-8")
    started = tmp_path / "started"

    def hang(raw):
        # a program it started, in its own session as LibreOffice is, must die with it
        child = subprocess.Popen(["sleep", "300"], start_new_session=True)
        started.write_text(f"{child.pid}\n{tempfile.gettempdir()}")
        time.sleep(300)

    patch_reader(monkeypatch, "hangs.txt", hang)
    report = ingest([archive], tmp_path / "d.db", jobs=2, file_timeout=5)
    assert files(tmp_path / "d.db")["hangs.txt"] == ("failed", "timed out after 5 s")
    assert report.filings == len(VARIANTS)
    pid, worker_tmp = started.read_text().split("\n")
    assert not running(int(pid))
    assert not Path(worker_tmp).exists()  # the run's temporary directory is gone


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie is dead, waiting for a parent that may never reap it


def test_a_file_exhausting_memory_fails_with_the_limit(archive, tmp_path, monkeypatch):
    (archive / "bomb.txt").write_text(fixtures.variant_text(fixtures.Variant(name="内存炸弹")), encoding="utf-8")
    patch_reader(monkeypatch, "bomb.txt", lambda raw: bytearray(4 * 2**30))
    report = ingest([archive], tmp_path / "d.db", jobs=2, memory_limit=512 * 2**20)
    assert files(tmp_path / "d.db")["bomb.txt"] == ("failed", "exceeded the 512 MiB memory limit")
    assert report.filings == len(VARIANTS)


def segfault(raw):
    faulthandler.disable()  # pytest's would print the worker's stack
    os.kill(os.getpid(), signal.SIGSEGV)


def test_a_crashing_reader_fails_its_file_only(archive, tmp_path, monkeypatch):
    (archive / "crash.txt").write_text(fixtures.variant_text(fixtures.Variant(name="崩溃")), encoding="utf-8")
    patch_reader(monkeypatch, "crash.txt", segfault)
    report = ingest([archive], tmp_path / "d.db", jobs=2)
    status, reason = files(tmp_path / "d.db")["crash.txt"]
    assert (status, reason) == ("failed", "the reader crashed on this file (SIGSEGV)")
    assert report.filings == len(VARIANTS)


def test_rerun_after_a_timeout_reads_only_the_failed_file_again(archive, tmp_path, monkeypatch):
    (archive / "hangs.txt").write_text(fixtures.variant_text(fixtures.Variant(name="慢项目")), encoding="utf-8")
    patch_reader(monkeypatch, "hangs.txt", lambda raw: time.sleep(300))
    ingest([archive], tmp_path / "d.db", jobs=2, file_timeout=5)
    monkeypatch.undo()
    report = ingest([archive], tmp_path / "d.db", jobs=2)
    assert report.read == 3  # the timed-out file and the two that are no filings
    assert report.filings == 1 and files(tmp_path / "d.db")["hangs.txt"] == ("ok", None)


def test_cli_jobs_summary(archive, tmp_path, capsys):
    code = main(["ingest", str(archive), "--db", str(tmp_path / "d.db"), "--jobs", "2"])
    out = capsys.readouterr()
    assert code == 1  # two files failed; the copy is skipped, not read
    assert f"Files: {len(VARIANTS) + 2} read, 2 failed, 1 skipped as already ingested" in out.out
    assert "empty.txt: empty file" in out.err


@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_cli_refuses_a_bad_job_count(tmp_path, value, capsys):
    with pytest.raises(SystemExit):
        main(["ingest", str(tmp_path), "--jobs", value])
    assert "positive number" in capsys.readouterr().err


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_with_rate_on_a_terminal(archive, tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "stderr", Terminal())
    main(["ingest", str(archive), "--db", str(tmp_path / "d.db"), "--jobs", "2"])
    shown = sys.stderr.getvalue()
    total = len(VARIANTS) + 3
    assert f"{total}/{total}" in shown and "files/s" in shown and "0:00:00" in shown  # done, rate, time left
    assert f"{archive / 'empty.txt'}: empty file\n" in shown  # failures named above the bar, one line each


def test_cross_filing_checks_shared_out_among_processes_find_what_one_process_finds(tmp_path):
    from corpus.generate import generate

    generate(tmp_path / "archive", 80, seed=3, formats=["txt"])
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    ingest([tmp_path / "archive"], one, jobs=1)
    ingest([tmp_path / "archive"], two, jobs=2)
    across = [row for row in fixtures.dump(two)["findings"] if "across" in row]
    assert {"DUPLICATE_FILING_CONFLICT", "CROSS_YEAR_JUMP", "CITATION_NUMBER_CONFLICT"} <= {c for row in across for c in row}
    assert fixtures.dump(two) == fixtures.dump(one)

"""`ingest --scheduler`: reading on a Dask cluster (here a local one, loopback only) gives
the dataset a local run gives; a file that hangs or exhausts memory on a cluster worker
fails with the reason `--jobs` gives and the worker reads on; an unreachable scheduler is
one clear line."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import dask
import pytest
from distributed import LocalCluster

import fixtures
from dataset import ingest
from shenbao.api import process_files
from shenbao.cli import main
from test_parallel import files


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        yield cluster


@pytest.fixture
def archive(tmp_path):
    inputs = tmp_path / "archive"
    inputs.mkdir()
    for v in fixtures.many_variants(8):
        fixtures.write_variant(inputs, v)
    (inputs / "notes.txt").write_text("会议纪要，不是申报表", encoding="utf-8")
    (inputs / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    return inputs


def test_cluster_ingest_gives_the_local_dataset(archive, tmp_path, cluster):
    local = ingest([archive], tmp_path / "local.db", jobs=1)
    remote = ingest([archive], tmp_path / "cluster.db", scheduler=cluster.scheduler_address)
    assert remote.filings == local.filings == 8 and sorted(remote.failed) == sorted(local.failed)
    expected = fixtures.dump(tmp_path / "local.db")
    assert expected["findings"] and expected["indicators"]
    assert fixtures.dump(tmp_path / "cluster.db") == expected


def misbehaving_reader(paths: list[str]):
    """shenbao's reader, except that it hangs on files named hangs.txt, asks for 4 GiB on
    bomb.txt and kills the Dask worker it reads for on kills-worker.txt. Defined here for
    the cluster's workers to import (they are spawned, so a monkeypatch would not reach them)."""
    for path in paths:
        if Path(path).name.endswith("hangs.txt"):
            time.sleep(300)
        if Path(path).name.endswith("bomb.txt"):
            bytearray(4 * 2**30)
        if Path(path).name.endswith("kills-worker.txt"):  # read in a child of the Dask worker
            os.kill(os.getppid(), signal.SIGKILL)
        yield from process_files([path])


def test_a_file_hanging_or_exhausting_memory_on_the_cluster_fails_and_the_rest_load(archive, tmp_path, cluster):
    for name in ("0-hangs.txt", "0-bomb.txt"):  # first, so files after them show the worker reads on
        (archive / name).write_text(fixtures.variant_text(fixtures.Variant(name=name)), encoding="utf-8")
    report = ingest([archive], tmp_path / "d.db", scheduler=cluster.scheduler_address, process=misbehaving_reader,
                    file_timeout=3, memory_limit=512 * 2**20)
    recorded = files(tmp_path / "d.db")
    assert recorded["0-hangs.txt"] == ("failed", "timed out after 3 s")
    assert recorded["0-bomb.txt"] == ("failed", "exceeded the 512 MiB memory limit")
    assert report.filings == 8 and len(report.failed) == 4  # with notes.txt and broken.docx


def test_a_file_killing_its_dask_worker_fails_alone(archive, tmp_path):
    (archive / "0-kills-worker.txt").write_text(fixtures.variant_text(fixtures.Variant(name="k")), encoding="utf-8")
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                         dashboard_address=None) as cluster:
        report = ingest([archive], tmp_path / "d.db", scheduler=cluster.scheduler_address,
                        process=misbehaving_reader)
    state, reason = files(tmp_path / "d.db")["0-kills-worker.txt"]
    assert state == "failed" and reason.startswith("the cluster could not read it (KilledWorker")
    assert report.filings == 8 and len(report.failed) == 3  # with notes.txt and broken.docx


def test_unreachable_scheduler_is_one_line(archive, tmp_path, capsys):
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code = main(["ingest", str(archive), "--db", str(tmp_path / "d.db"), "--scheduler", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("shenbao: cannot use the Dask scheduler at tcp://127.0.0.1:9:") and err.count("\n") == 1

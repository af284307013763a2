"""`ingest --scheduler`: reading on a Dask cluster (here a local one, loopback only) gives
the dataset a local run gives; an unreachable scheduler is one clear line."""

from __future__ import annotations

import dask
import pytest
from distributed import LocalCluster

from dataset import fixtures, ingest
from shenbao.cli import main


@pytest.fixture
def archive(tmp_path):
    inputs = tmp_path / "archive"
    inputs.mkdir()
    for v in fixtures.many_variants(8):
        fixtures.write_variant(inputs, v)
    (inputs / "notes.txt").write_text("会议纪要，不是申报表", encoding="utf-8")
    (inputs / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    return inputs


def test_cluster_ingest_gives_the_local_dataset(archive, tmp_path):
    local = ingest([archive], tmp_path / "local.db", jobs=1)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        remote = ingest([archive], tmp_path / "cluster.db", scheduler=cluster.scheduler_address)
    assert remote.filings == local.filings == 8 and sorted(remote.failed) == sorted(local.failed)
    expected = fixtures.dump(tmp_path / "local.db")
    assert expected["findings"] and expected["indicators"]
    assert fixtures.dump(tmp_path / "cluster.db") == expected


def test_unreachable_scheduler_is_one_line(archive, tmp_path, capsys):
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code = main(["ingest", str(archive), "--db", str(tmp_path / "d.db"), "--scheduler", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("shenbao: cannot use the Dask scheduler at tcp://127.0.0.1:9:") and err.count("\n") == 1

"""The dataset: ingest is idempotent and keeps versions, money stays exact, queries are
read-only, exports and DataFrames hold what the tables hold, search finds short words."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

import fixtures
from dataset import DatasetError, export, ingest, open_dataset, pipeline
from dataset.db import PUBLIC_TABLES, connect_readonly, query
from normalize.model import Declaration

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEED_FILE = SHARED / "seed" / "000_15b5cc2a07eb4fba.txt"
SEED_GOLD = SHARED / "contract" / "examples" / "000_15b5cc2a07eb4fba.json"

FAST = dict(process=fixtures.process_files_from_gold, check_filing=fixtures.quick_check_filing,
            check_across=fixtures.quick_check_across)
VARIANTS = [
    fixtures.Variant(name="加装电梯工程", year=2020, amount="30.00"),
    fixtures.Variant(name="加装电梯工程", year=2021, amount="45.50"),
    fixtures.Variant(name="道路绿化养护", unit="上海市闵行区华漕镇人民政府", year=2021, amount="12.34"),
]


def count_rows(db) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in (*PUBLIC_TABLES, "not_checked")}
    finally:
        conn.close()


def rows(db, sql: str, params=()) -> list[tuple]:
    conn = connect_readonly(db)
    try:
        return query(conn, sql, params)[1]
    finally:
        conn.close()


@pytest.fixture
def archive(tmp_path):
    """Three variant filings and one file that is not a filing, in their own directory."""
    inputs = tmp_path / "archive"
    inputs.mkdir()
    for v in VARIANTS:
        fixtures.write_variant(inputs, v)
    (inputs / "notes.txt").write_text("会议纪要，不是申报表", encoding="utf-8")
    return inputs


def test_ingest_loads_filings_children_and_findings(archive, tmp_path):
    db = tmp_path / "d.db"
    report = ingest([archive], db, **FAST)
    assert report.filings == 3 and report.current_filings == 3
    assert [Path(p).name for p, _ in report.failed] == ["notes.txt"]
    gold = json.loads(SEED_GOLD.read_text(encoding="utf-8"))
    counts = count_rows(db)
    assert counts["files"] == 4
    assert counts["indicators"] == 3 * len(gold["indicators"])
    assert counts["citations"] == 3 * len(gold["citations"])
    assert counts["guarantees"] == 3 * len(gold["guarantees"])
    assert counts["corrections"] == 3 * len(gold["corrections"])
    # 45.50 and 30.00 万元 are over the stand-in check's threshold, 12.34 is not; one project spans two years
    assert rows(db, "SELECT code, scope FROM findings ORDER BY code, scope") == [
        ("TEST_LARGE", "filing"), ("TEST_LARGE", "filing"), ("TEST_SERIES", "across")]
    assert rows(db, "SELECT count(*) FROM not_checked") == [(1,)]
    failed = rows(db, "SELECT status, reason, filings FROM files WHERE path LIKE '%notes.txt'")
    assert failed == [("failed", "not a declaration form (fixture reader)", 0)]


def test_record_json_round_trips_and_columns_match_it(archive, tmp_path):
    db = tmp_path / "d.db"
    ingest([archive], db, **FAST)
    for record_json, name, year, total_fen in rows(
            db, "SELECT record_json, project_name, year, funding_total_fen FROM filings"):
        decl = Declaration.from_json(json.loads(record_json))
        assert (decl.project.name, decl.year) == (name, year)
        assert Decimal(decl.funding.total) * 100 == total_fen


def test_money_is_exact_integer_fen_and_views_show_yuan(archive, tmp_path):
    db = tmp_path / "d.db"
    ingest([archive], db, **FAST)
    assert rows(db, "SELECT funding_total_fen, typeof(funding_total_fen), cost_total_fen FROM filings "
                    "WHERE project_name = '道路绿化养护'") == [(12340000, "integer", 12340000)]
    assert rows(db, "SELECT year, total_yuan FROM project_history WHERE project = '加装电梯工程'") == [
        (2020, 300000.0), (2021, 455000.0)]
    assert rows(db, "SELECT filing_unit, year, filings, total_yuan FROM unit_funding_by_year "
                    "WHERE year = 2021 ORDER BY filing_unit") == [
        ("上海市闵行区华漕镇人民政府", 2021, 1, 123400.0), ("上海市闵行区新虹街道房管办事处", 2021, 1, 455000.0)]
    assert rows(db, "SELECT code, severity, findings FROM findings_summary WHERE year = 2020") == [
        ("TEST_SERIES", "warning", 1), ("TEST_LARGE", "info", 1)]


def test_ingesting_twice_changes_no_table(archive, tmp_path):
    db = tmp_path / "d.db"
    ingest([archive], db, **FAST)
    before = fixtures.dump(db)
    again = ingest([archive], db, **FAST)
    assert again.filings == 0 and again.skipped == 3
    after = fixtures.dump(db)
    assert after == before
    # hashing catches the same content under another name too
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "same.txt").write_bytes(next(archive.glob("2020_*")).read_bytes())
    assert ingest([copy], db, **FAST).skipped == 1
    assert fixtures.dump(db) == before


def test_a_changed_file_supersedes_its_older_version(archive, tmp_path):
    db = tmp_path / "d.db"
    ingest([archive], db, **FAST)
    path = next(archive.glob("2021_道路绿化养护_*"))
    old_id = rows(db, "SELECT id FROM filings WHERE project_name = '道路绿化养护'")[0][0]
    path.write_text(fixtures.variant_text(fixtures.Variant(
        name="道路绿化养护", unit="上海市闵行区华漕镇人民政府", year=2021, amount="13.00")), encoding="utf-8")
    report = ingest([archive], db, **FAST)
    assert (report.filings, report.superseded) == (1, 1)
    assert rows(db, "SELECT id = ?, superseded, funding_total_fen FROM filings WHERE project_name = '道路绿化养护' "
                    "ORDER BY seq", (old_id,)) == [(1, 1, 12340000), (0, 0, 13000000)]
    assert rows(db, "SELECT superseded, count(*) FROM files WHERE path = ? GROUP BY superseded",
                (str(path.resolve()),)) == [(0, 1), (1, 1)]
    # views count current filings only
    assert rows(db, "SELECT total_yuan FROM unit_funding_by_year WHERE filing_unit LIKE '%华漕%'") == [(130000.0,)]
    # changed back: the first version is current again, nothing is added
    path.write_text(fixtures.variant_text(fixtures.Variant(
        name="道路绿化养护", unit="上海市闵行区华漕镇人民政府", year=2021, amount="12.34")), encoding="utf-8")
    count = count_rows(db)
    ingest([archive], db, **FAST)
    assert count_rows(db) == count
    assert rows(db, "SELECT funding_total_fen FROM filings WHERE project_name = '道路绿化养护' AND superseded = 0") == [
        (12340000,)]


def test_a_file_that_failed_is_retried_in_place(archive, tmp_path):
    db = tmp_path / "d.db"
    ingest([archive], db, **FAST)
    count = count_rows(db)
    report = ingest([archive], db, **FAST)
    assert [Path(p).name for p, _ in report.failed] == ["notes.txt"]
    assert count_rows(db) == count
    missing = tmp_path / "missing.txt"
    for _ in range(2):
        assert ingest([missing], db, **FAST).failed == [(str(missing), "cannot open: No such file or directory")]
    assert count_rows(db)["files"] == count["files"] + 1


def test_a_crashing_check_keeps_the_filing(archive, tmp_path):
    def broken(decl):
        raise RuntimeError("rule bug")

    db = tmp_path / "d.db"
    report = ingest([archive], db, **{**FAST, "check_filing": broken})
    assert report.filings == 3 and len(report.warnings) == 3
    assert rows(db, "SELECT DISTINCT code, reason FROM not_checked") == [
        ("*", "the checks crashed (RuntimeError: rule bug)")]


def test_a_file_that_cannot_be_stored_is_undone_alone(archive, tmp_path):
    """Files are committed in groups; a file whose rows break a constraint midway (two
    filings with one id) is rolled back whole, and the files around it are kept."""
    def twice_for_one(paths):
        for result in fixtures.process_files_from_gold(paths):
            if any(d.project.name == "道路绿化养护" for d in result.declarations):
                result.declarations *= 2
            yield result

    db = tmp_path / "d.db"
    report = ingest([archive], db, **{**FAST, "process": twice_for_one})
    not_stored = [path for path, reason in report.failed if reason.startswith("could not be stored")]
    assert len(report.failed) == 2 and len(not_stored) == 1
    assert rows(db, "SELECT project_name, year FROM filings ORDER BY year") == [
        ("加装电梯工程", 2020), ("加装电梯工程", 2021)]
    assert rows(db, "SELECT status, filings FROM files WHERE reason LIKE 'could not be stored%'") == [("failed", 0)]
    assert rows(db, "SELECT count(*) FROM filings_fts WHERE filings_fts MATCH '绿化'") == [(0,)]


def test_files_are_committed_in_groups_and_at_once_when_they_come_slowly(archive, tmp_path, monkeypatch):
    """What a reader of the dataset (or a rerun after a kill) finds committed before
    each file is read: the files before it, in groups of GROUP_FILES; each file as soon
    as it is loaded when GROUP_SECONDS have passed since the last commit."""
    def committed_before_each(db, reading_takes=0.0):
        seen = []

        def watching(paths):
            for result in fixtures.process_files_from_gold(paths):
                seen.append(count_rows(db)["files"])
                time.sleep(reading_takes)
                yield result
        ingest([archive], db, **{**FAST, "process": watching})
        return seen

    monkeypatch.setattr(pipeline, "GROUP_FILES", 2)
    monkeypatch.setattr(pipeline, "GROUP_SECONDS", 3600)
    assert committed_before_each(tmp_path / "fast.db") == [0, 0, 2, 2]
    monkeypatch.setattr(pipeline, "GROUP_SECONDS", 0.05)
    assert committed_before_each(tmp_path / "slow.db", reading_takes=0.1) == [0, 1, 2, 3]


def test_an_interrupted_ingest_keeps_the_files_read_before_it(archive, tmp_path):
    """Ctrl-C midway: the files loaded before it are committed, not rolled back with
    their group, and the rerun reads only the rest."""
    def interrupted_after_two(paths):
        for i, result in enumerate(fixtures.process_files_from_gold(paths)):
            if i == 2:
                raise KeyboardInterrupt
            yield result

    db = tmp_path / "d.db"
    with pytest.raises(KeyboardInterrupt):
        ingest([archive], db, **{**FAST, "process": interrupted_after_two})
    assert count_rows(db)["files"] == 2
    report = ingest([archive], db, **FAST)
    assert (report.read, report.skipped) == (2, 2)
    whole = tmp_path / "whole.db"
    ingest([archive], whole, **FAST)
    assert fixtures.dump(db) == fixtures.dump(whole)


def test_search_finds_two_character_words(archive, tmp_path):
    db = tmp_path / "d.db"
    ingest([archive], db, **FAST)

    def found(word):
        return sorted({r[0] for r in rows(
            db, "SELECT project_name FROM filings WHERE seq IN "
                "(SELECT rowid FROM filings_fts WHERE filings_fts MATCH ?)", (f'"{word}"',))})

    assert found("电梯") == ["加装电梯工程"]  # a name
    assert found("业委") == ["加装电梯工程", "道路绿化养护"]  # prose; jieba alone makes 业委会, never 业委
    assert found("业委会") == ["加装电梯工程", "道路绿化养护"]
    assert found("绿化") == ["道路绿化养护"]
    assert found("地铁") == []


def test_query_is_read_only(archive, tmp_path):
    db = tmp_path / "d.db"
    ingest([archive], db, **FAST)
    conn = connect_readonly(db)
    for sql in ("DELETE FROM filings", "UPDATE files SET status = 'ok'", "DROP TABLE findings",
                "ATTACH DATABASE ':memory:' AS other", "PRAGMA journal_mode = DELETE",
                "CREATE TABLE x (y)", "INSERT INTO meta VALUES ('a', 'b')", "UPDATE sqlite_master SET sql = ''"):
        with pytest.raises(DatasetError, match="read-only"):
            query(conn, sql)
    assert query(conn, "PRAGMA table_info(files)")[1]
    conn.close()
    assert count_rows(db)["filings"] == 3


def test_cli_query_refuses_writes_and_formats_rows(archive, tmp_path):
    db = tmp_path / "d.db"
    ingest([archive], db, **FAST)
    shenbao = [sys.executable, "-m", "shenbao.cli"]
    refused = subprocess.run([*shenbao, "query", "DELETE FROM filings", "--db", str(db)],
                             capture_output=True, text=True)
    assert refused.returncode == 1 and "read-only" in refused.stderr and "Traceback" not in refused.stderr
    sql = "SELECT project_name, year FROM filings ORDER BY year, project_name"
    as_json = subprocess.run([*shenbao, "query", sql, "--db", str(db), "--format", "json"],
                             capture_output=True, text=True, check=True).stdout
    assert [json.loads(line) for line in as_json.splitlines()] == [
        {"project_name": "加装电梯工程", "year": 2020}, {"project_name": "加装电梯工程", "year": 2021},
        {"project_name": "道路绿化养护", "year": 2021}]
    as_csv = subprocess.run([*shenbao, "query", sql, "--db", str(db), "--format", "csv"],
                            capture_output=True, text=True, check=True).stdout
    assert as_csv.splitlines()[:2] == ["project_name,year", "加装电梯工程,2020"]
    as_table = subprocess.run([*shenbao, "query", sql, "--db", str(db)], capture_output=True, text=True,
                              check=True).stdout
    assert "道路绿化养护" in as_table and as_table.rstrip().endswith("(3 rows)")
    missing = subprocess.run([*shenbao, "query", "SELECT 1", "--db", str(tmp_path / "none.db")],
                             capture_output=True, text=True)
    assert missing.returncode == 1 and "no dataset" in missing.stderr
    assert not (tmp_path / "none.db").exists()


def test_export_parquet_and_csv_hold_every_row(archive, tmp_path):
    import pyarrow.dataset as pads

    db = tmp_path / "d.db"
    ingest([archive], db, **FAST)
    counts = count_rows(db)
    written = export(db, tmp_path / "pq", "parquet")
    assert written == counts
    for table, n in counts.items():
        assert pads.dataset(tmp_path / "pq" / table, partitioning="hive").count_rows() == n
    years = sorted(p.name for p in (tmp_path / "pq" / "filings").iterdir())
    assert years == ["year=2020", "year=2021"]
    filings = pads.dataset(tmp_path / "pq" / "filings", partitioning="hive").to_table()
    assert str(filings.schema.field("funding_total_fen").type) == "int64"
    assert sorted(filings.column("funding_total_fen").to_pylist()) == [12340000, 30000000, 45500000]
    assert str(pads.dataset(tmp_path / "pq" / "cost_items").schema.field("unit_price_fen").type) == "int64"
    export(db, tmp_path / "csv", "csv")
    import csv

    with open(tmp_path / "csv" / "indicators.csv", encoding="utf-8-sig", newline="") as f:
        assert len(list(csv.DictReader(f))) == counts["indicators"]


def test_open_dataset_gives_dataframes(archive, tmp_path):
    import pandas as pd

    db = tmp_path / "d.db"
    ingest([archive], db, **FAST)
    import shenbao

    with shenbao.open_dataset(db) as ds:
        filings = ds.filings
        assert isinstance(filings, pd.DataFrame) and len(filings) == 3
        assert str(filings["funding_total_fen"].dtype) == "Int64"
        assert filings["funding_fiscal_upper_fen"].isna().all()  # empty cells stay empty, not 0
        assert len(ds["indicators"]) == count_rows(db)["indicators"]
        assert list(ds.project_history["project"].unique()) == ["加装电梯工程", "道路绿化养护"]
        assert ds.sql("SELECT count(*) AS n FROM files WHERE status = 'failed'")["n"].tolist() == [1]
        with pytest.raises(KeyError):
            ds["no_such_table"]
        with pytest.raises(DatasetError, match="read-only"):
            ds.sql("DELETE FROM filings")


def test_cli_ingest_names_failures_and_writes_nothing_beside_inputs(archive, tmp_path):
    """The real pipeline behind the command: the variants parse, notes.txt fails."""
    before = sorted(p.name for p in archive.iterdir())
    work = tmp_path / "work"
    work.mkdir()
    done = subprocess.run([sys.executable, "-m", "shenbao.cli", "ingest", str(archive)], cwd=work,
                          capture_output=True, text=True)
    assert done.returncode == 1, done.stderr  # a file failed
    assert f"{archive / 'notes.txt'}: " in done.stderr and "Traceback" not in done.stderr
    assert "Dataset: shenbao.db" in done.stdout and "3 added" in done.stdout and "shenbao serve" in done.stdout
    assert os.listdir(work) == ["shenbao.db"]
    assert sorted(p.name for p in archive.iterdir()) == before
    assert sorted(rows(work / "shenbao.db", "SELECT project_name, year FROM filings")) == [
        ("加装电梯工程", 2020), ("加装电梯工程", 2021), ("道路绿化养护", 2021)]


def test_not_a_dataset_is_refused(tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(DatasetError, match="not a shenbao dataset"):
        ingest([], other)
    with pytest.raises(DatasetError, match="not a shenbao dataset"):
        open_dataset(other)


def test_end_to_end_on_the_seed_file(tmp_path):
    """The real pipeline (read, normalize, check) into the dataset."""
    db = tmp_path / "d.db"
    report = ingest([SEED_FILE], db)
    assert report.failed == [] and report.filings == 1
    gold = json.loads(SEED_GOLD.read_text(encoding="utf-8"))
    assert rows(db, "SELECT project_name, year, filing_unit, funding_total_fen, cost_total_fen FROM filings") == [
        (gold["project"]["name"], gold["year"], gold["filing_unit"], 19950000, 19950000)]
    assert rows(db, "SELECT count(*) FROM indicators") == [(len(gold["indicators"]),)]
    expected = json.loads((SEED_GOLD.parent / "000_15b5cc2a07eb4fba.findings.json").read_text(encoding="utf-8"))
    codes = {r[0] for r in rows(db, "SELECT code FROM findings")}
    assert {f["code"] for f in expected["expected"]} <= codes
    assert not codes & set(expected["must_not_fire"])
    assert os.listdir(tmp_path) == ["d.db"]


def test_the_dataset_inside_the_archive_is_not_ingested(archive):
    db = archive / "shenbao.db"
    ingest([archive], db, **FAST)
    report = ingest([archive], db, **FAST)
    assert [Path(p).name for p, _ in report.failed] == ["notes.txt"]
    assert rows(db, "SELECT count(*) FROM files WHERE path LIKE '%shenbao.db%'") == [(0,)]


def test_cross_filing_checks_left_undone_are_done_by_the_next_run(archive, tmp_path):
    def crash(declarations):
        raise RuntimeError("killed here")

    db = tmp_path / "d.db"
    report = ingest([archive], db, **{**FAST, "check_across": crash})
    assert any("cross-filing checks failed" in w for w in report.warnings)
    assert rows(db, "SELECT count(*) FROM findings WHERE scope = 'across'") == [(0,)]
    report = ingest([archive], db, **FAST)  # every file skipped, the checks still run
    assert report.skipped == 3
    assert rows(db, "SELECT code FROM findings WHERE scope = 'across'") == [("TEST_SERIES",)]


def test_copies_met_in_one_run_are_one_filing(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    original = fixtures.write_variant(inputs, VARIANTS[0])
    (inputs / "copy.txt").write_bytes(original.read_bytes())
    db = tmp_path / "d.db"
    report = ingest([inputs, original], db, **FAST)
    assert (report.filings, report.skipped, report.failed) == (1, 2, [])
    assert rows(db, "SELECT count(*), min(status) FROM files") == [(1, "ok")]

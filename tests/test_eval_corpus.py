"""`shenbao eval` on the committed corpus: accuracy must stay at or above the stated
threshold (corpus.evaluate.MIN_ACCURACY_TEXT) in every text format, and every file
written in any format must be readable."""

from __future__ import annotations

import json
from pathlib import Path

from corpus.evaluate import MIN_ACCURACY_TEXT
from corpus.generate import generate, suffix
from corpus.writers import WRITERS
from shenbao.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run_eval(capsys, *args: str) -> tuple[int, str]:
    status = main(["eval", *args])
    return status, capsys.readouterr().out


def test_committed_corpus_meets_the_accuracy_threshold_in_every_text_format(capsys):
    status, out = run_eval(capsys, str(ROOT / "corpus"), "--json")
    rep = json.loads(out)
    assert status == 0 and rep["files"] >= 40 and rep["failed"] == 0
    worst = "\n".join(f"{w['accuracy']} {w['path']} {w['mismatches'][:2]}" for w in rep["worst"][:5])
    for fmt, result in rep["by_format"].items():
        assert result["accuracy"] >= MIN_ACCURACY_TEXT, f"{fmt}: {result['accuracy']} < {MIN_ACCURACY_TEXT}\n{worst}"


def test_min_accuracy_sets_the_exit_status(capsys):
    sample = str(ROOT / "corpus" / "samples" / "national_2021_yuelu.txt")
    status, out = run_eval(capsys, sample, "--min-accuracy", "1.01")
    assert status == 1 and "field accuracy" in out
    status, _ = run_eval(capsys, sample, "--min-accuracy", "0")
    assert status == 0


def test_a_folder_without_gold_is_an_error(tmp_path, capsys):
    (tmp_path / "lone.txt").write_text("项目名称\t无金标\n", encoding="utf-8")
    status, out = run_eval(capsys, str(tmp_path))
    assert status == 1 and "1 without gold skipped" in out


def test_a_generated_corpus_in_every_format_is_read_and_scored(tmp_path, capsys):
    generate(tmp_path, 5, seed=21, formats=list(WRITERS), bundle_rate=0.2)
    status, out = run_eval(capsys, str(tmp_path), "--json")
    rep = json.loads(out)
    assert set(rep["by_format"]) == {suffix(fmt).lstrip(".") for fmt in WRITERS}
    unread = {fmt: r["failed"] for fmt, r in rep["by_format"].items() if r["failed"]}
    assert not unread, [w["reason"] for w in rep["worst"] if w["reason"]]
    assert rep["records"]["gold"] == 5 * len(WRITERS)


def test_eval_text_report_names_formats_groups_and_worst_files(capsys):
    status, out = run_eval(capsys, str(ROOT / "corpus" / "samples"))
    assert status == 0
    for heading in ("field accuracy", "by format", "by field group", "list items", "findings by code", "worst files"):
        assert heading in out

"""`shenbao check`: findings and not-checked entries as JSON Lines, unreadable files named
on stderr without stopping the others, and linter-style --fail-on exit codes.

Most tests stand in for the reader with one that loads a contract record from the file
(so they test the command, not extraction); the last one runs the seed end to end."""

from __future__ import annotations

import json
import shutil

import pytest

from shenbao import api
from shenbao.api import FileResult
from shenbao.cli import main
from normalize.model import Declaration
from test_rules_seed import SHARED, clean, seed, with_id


def fake_process_files(paths):
    """A file holding a contract record's JSON reads as that record; anything else goes
    through the real reader."""
    for path in paths:
        try:
            record = json.loads(open(path, encoding="utf-8").read())
        except (ValueError, OSError):
            yield api.process_file(path)
            continue
        yield FileResult(str(path), "ok", record["source"]["sha256"], "txt", declarations=[Declaration.from_json(record)])


@pytest.fixture
def filings(tmp_path, monkeypatch):
    """A directory to put filings in, read with `fake_process_files`."""
    monkeypatch.setattr("shenbao.commands.paths.process_files", fake_process_files)

    def put(name: str, record: dict | None = None) -> str:
        path = tmp_path / name
        path.write_text(json.dumps(record, ensure_ascii=False) if record else "", encoding="utf-8")
        return str(path)

    return put


def run(capsys, *argv: str) -> tuple[int, list[dict], str]:
    status = main(["check", *argv])
    out, err = capsys.readouterr()
    return status, [json.loads(line) for line in out.splitlines()], err


def test_an_empty_file_is_named_on_stderr_and_the_others_are_still_checked(filings, capsys, tmp_path):
    bad = filings("empty.txt")
    filings("seed.txt", seed())
    status, lines, err = run(capsys, str(tmp_path))
    assert status == 1
    assert err.startswith(f"shenbao: {bad}: ") and len(err.strip().splitlines()) == 1
    assert "CATEGORY_UNCHECKED" in {line.get("code") for line in lines}


def test_findings_then_not_checked_entries_as_json_lines(filings, capsys):
    record = seed()
    record["project"].update(start_date=None, end_date=None)
    status, lines, err = run(capsys, filings("seed.txt", record))
    assert status == 0 and err == ""
    findings = [line for line in lines if "code" in line]
    not_checked = [line for line in lines if "not_checked" in line]
    assert lines == findings + not_checked
    assert "SIGNATURE_MISSING" in {f["code"] for f in findings}
    assert "DATE_RANGE_INVALID" in {n["not_checked"] for n in not_checked}
    assert all(n["reason"] and n["declaration"].endswith(":0") for n in not_checked)


def test_cross_filing_rules_run_across_all_given_files(filings, capsys, tmp_path):
    a = with_id(clean(), "a")
    b = with_id(clean(), "b")
    b["funding"]["total"] = "299500.00"
    filings("a.txt", a)
    filings("b.txt", b)
    status, lines, _ = run(capsys, str(tmp_path), "--fail-on", "error")
    assert status == 2
    assert "DUPLICATE_FILING_CONFLICT" in {line.get("code") for line in lines}


@pytest.mark.parametrize("fail_on,record,status", [
    (None, "error", 0),
    ("error", "clean", 0),
    ("error", "warning", 0),
    ("error", "error", 2),
    ("warning", "clean", 0),
    ("warning", "warning", 2),
    ("warning", "error", 2),
])
def test_fail_on_exit_codes(filings, capsys, fail_on, record, status):
    records = {"clean": clean(), "warning": seed(), "error": clean()}
    records["error"]["funding"]["fiscal_own"] = "1.00"
    path = filings("filing.txt", records[record])
    argv = [path] + (["--fail-on", fail_on] if fail_on else [])
    assert run(capsys, *argv)[0] == status


def test_fail_on_takes_precedence_over_an_unreadable_file(filings, capsys):
    record = clean()
    record["funding"]["fiscal_own"] = "1.00"
    assert run(capsys, filings("empty.txt"), filings("bad.txt", record), "--fail-on", "error")[0] == 2


def test_the_same_file_given_twice_is_checked_once(filings, capsys):
    path = filings("seed.txt", seed())
    _, once, _ = run(capsys, path)
    _, twice, _ = run(capsys, path, path)
    assert twice == once


def test_table_format_for_people(filings, capsys):
    path = filings("seed.txt", seed())
    status = main(["check", path, "--format", "table"])
    out = capsys.readouterr().out
    assert status == 0
    assert "CATEGORY_UNCHECKED" in out and "seed.txt#0" in out and "not checked" not in out.split("CATEGORY")[0]


def test_help_documents_the_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    out = capsys.readouterr().out
    assert "exit status" in out and "--fail-on" in out and "  2 " in out


def test_the_seed_end_to_end(tmp_path, capsys):
    """Through the real reader and normalize: the contract's expected findings come out."""
    shutil.copy(SHARED / "seed" / "000_15b5cc2a07eb4fba.txt", tmp_path)
    expected = json.loads((SHARED / "contract" / "examples" / "000_15b5cc2a07eb4fba.findings.json").read_text("utf-8"))
    status, lines, err = run(capsys, str(tmp_path))
    assert status == 0, err
    fired = {line["code"] for line in lines if "code" in line}
    assert fired == {e["code"] for e in expected["expected"]}

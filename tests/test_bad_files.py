"""A file that cannot be read gets a one-line reason naming it; the others still come out."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from golden import SHARED
from shenbao.api import process_file

SEED = SHARED / "seed" / "000_15b5cc2a07eb4fba.txt"


@pytest.mark.parametrize("name,data,reason", [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b" \n\t\n", "empty file"),
    ("binary.txt", bytes(range(256)) * 40, "binary content"),
    ("notes.txt", "会议纪要\n今天讨论了绿化问题。\n".encode(), "no declaration form found"),
    ("fake.docx", b"PK\x03\x04 this is no zip", "damaged zip"),
])
def test_bad_file_gets_a_reason(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    result = process_file(path)
    assert result.status == "failed" and reason in result.reason and "\n" not in result.reason


def test_missing_file_and_directory(tmp_path):
    assert "cannot open" in process_file(tmp_path / "nope.txt").reason
    assert "directory" in process_file(tmp_path).reason


def test_cli_names_bad_files_and_still_prints_the_good_one(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 40)
    run = subprocess.run([sys.executable, "-m", "shenbao.cli", "extract", str(tmp_path / "empty.txt"), str(SEED),
                          str(tmp_path / "binary.txt")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    records = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["project"]["name"] for r in records] == ["居民小区综合治理建设"]
    errors = run.stderr.strip().splitlines()
    assert len(errors) == 2 and "Traceback" not in run.stderr
    assert errors[0].startswith(f"shenbao: {tmp_path / 'empty.txt'}: ") and "binary.txt" in errors[1]


def test_nothing_is_written_next_to_the_input(tmp_path):
    path = tmp_path / "seed.txt"
    path.write_bytes(SEED.read_bytes())
    subprocess.run([sys.executable, "-m", "shenbao.cli", "extract", str(path)], capture_output=True, timeout=120, check=True)
    assert [p.name for p in tmp_path.iterdir()] == ["seed.txt"]

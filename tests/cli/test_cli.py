"""The `cairn` command in fresh processes, configured by CAIRN_HOME and CAIRN_PASSPHRASE alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_PASSPHRASE
from tests.helpers import jsonl_line, write_jsonl

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def cli(tmp_path: Path):
    env = {**os.environ, "CAIRN_HOME": str(tmp_path / "home"), "CAIRN_PASSPHRASE": TEST_PASSPHRASE}

    def run(*args: str, extra_env: dict[str, str] | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "app.cli", *args], env={**env, **(extra_env or {})}, cwd=ROOT,
                              capture_output=True, text=True, timeout=300, input=stdin)

    return run


def test_init_import_search_status_in_fresh_processes(cli, tmp_path: Path) -> None:
    chat = write_jsonl(tmp_path / "c.jsonl", [
        jsonl_line("m1", "the staging url is https://staging.example.org", speaker="Lukas", conversation="work"),
        jsonl_line("m2", "dinner on friday at the thai place", speaker="Mum", conversation="family", minutes=5),
    ])
    assert cli("init", "--no-keyring").returncode == 0
    assert cli("init", "--no-keyring").returncode == 1  # refuses to overwrite
    imported = cli("import", str(chat), "--json")
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["imported"] == 2
    hits = [json.loads(line) for line in cli("search", "staging url", "--json").stdout.splitlines()]
    assert hits[0]["external_id"] == "m1" and hits[0]["conversation"] == "work"
    assert {"item_id", "external_id", "conversation", "timestamp", "score", "text"} <= hits[0].keys()
    filtered = [json.loads(x) for x in cli("search", "dinner thai", "--speaker", "Lukas", "--json").stdout.splitlines()]
    assert all(h["speaker"] == "Lukas" for h in filtered)
    nothing = cli("search", "zanzibar xylophone", "--json", "--no-time-parse")
    assert nothing.returncode == 0 and nothing.stdout.strip() == ""
    status = json.loads(cli("status", "--json").stdout)
    assert status["items"] == 2
    human = cli("search", "thai dinner")
    assert "family" in human.stdout and human.returncode == 0


def test_batch_search(cli, tmp_path: Path) -> None:
    chat = write_jsonl(tmp_path / "c.jsonl", [jsonl_line(f"{c}-{i}", f"apples and pears {i}", conversation=c, minutes=i)
                                              for c in ("a", "b") for i in range(3)])
    cli("init", "--no-keyring")
    cli("import", str(chat), "--no-embed")
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"query": "apples", "k": 2, "conversation": "b"}\n{"query": "pears"}\nnot json\n')
    out = cli("search", "--batch", str(queries), extra_env={"CAIRN_EMBEDDER": "none"})
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert len(lines) == 3
    assert [h["conversation"] for h in lines[0]["results"]] == ["b", "b"]
    assert len(lines[1]["results"]) == 6
    assert "error" in lines[2]


def test_wrong_passphrase_lock_unlock_passwd(cli, tmp_path: Path) -> None:
    cli("init", "--no-keyring")
    bad = cli("search", "x", extra_env={"CAIRN_PASSPHRASE": "nope"})
    assert bad.returncode == 1 and "passphrase" in bad.stderr
    assert cli("lock").returncode == 0
    assert cli("unlock").returncode == 0
    changed = cli("passwd", extra_env={"CAIRN_NEW_PASSPHRASE": "new one"})
    assert changed.returncode == 0, changed.stderr
    assert cli("status", extra_env={"CAIRN_PASSPHRASE": "new one"}).returncode == 0
    assert cli("status").returncode == 1


def test_missing_vault_and_unknown_format_are_clear_errors(cli, tmp_path: Path) -> None:
    missing = cli("search", "x")
    assert missing.returncode == 1 and "cairn init" in missing.stderr
    cli("init", "--no-keyring")
    junk = tmp_path / "junk.bin"
    junk.write_bytes(os.urandom(2048))
    out = cli("import", str(junk))
    assert out.returncode == 1 and "--format" in out.stderr


def test_help_everywhere(cli) -> None:
    for args in ([], ["import"], ["search"], ["init"], ["status"]):
        out = cli(*args, "--help")
        assert out.returncode == 0 and "Usage" in out.stdout


def test_search_says_when_nothing_is_a_good_match_and_explains_only_when_asked(cli, tmp_path: Path) -> None:
    chat = write_jsonl(tmp_path / "c.jsonl", [
        jsonl_line("m1", "the staging url is https://staging.example.org", speaker="Lukas", conversation="work"),
        jsonl_line("m2", "dinner on friday at the thai place with Priya", speaker="Mum", conversation="family", minutes=5),
        jsonl_line("m3", "Priya moved the climbing session to Sunday", speaker="Mum", conversation="family", minutes=9),
    ])
    env = {"CAIRN_EMBEDDER": "none"}
    assert cli("init", "--no-keyring", extra_env=env).returncode == 0
    assert cli("import", str(chat), extra_env=env).returncode == 0
    assert cli("consolidate", extra_env=env).returncode == 0
    plain = cli("search", "Priya dinner thai", extra_env=env)
    assert plain.returncode == 0 and "thai place" in plain.stdout
    assert "memory graph" not in plain.stdout and "bm25" not in plain.stdout
    explained = cli("search", "Priya dinner thai", "--explain", extra_env=env)
    assert "memory graph:" in explained.stdout and "coverage" in explained.stdout
    weak = cli("search", "thai zanzibar xylophone", "--no-time-parse", extra_env=env)
    assert "No good matches for 'thai zanzibar xylophone'" in weak.stdout
    assert "thai place" in weak.stdout  # the nearest weak match is still shown
    hits = [json.loads(x) for x in cli("search", "thai zanzibar xylophone", "--json", extra_env=env).stdout.splitlines()]
    assert hits and not any(h["good_match"] for h in hits)

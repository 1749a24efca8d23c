"""`cairn search` parsed without typer's parameter machinery: the same call typer makes, or typer decides."""

from __future__ import annotations

import functools
import inspect
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.commands import search_cmd
from app.commands.root import build_app
from app.fast_cli import parse
from tests.conftest import TEST_PASSPHRASE

ROOT = Path(__file__).resolve().parents[2]

PLAIN = [
    ["budget meeting"],
    ["budget", "-k", "3", "--json"],
    ["--no-time-parse", "budget meeting with the lawyer"],
    ["x", "--since=2024-01-01", "--until", "last week", "--explain"],
    ["x", "--speaker", "Ana", "--speaker=Ben", "--conversation", "chat-1", "--source", "chat", "--app", "Firefox"],
    ["x", "--home", "/tmp/somewhere", "-k", "+7"],
    ["--batch", "queries.jsonl"],
    ["-"],
    [],
]
NOT_PLAIN = [
    ["--help"], ["x", "-k", "abc"], ["x", "-k"], ["x", "-k5"], ["x", "-k", "2", "-k", "3"], ["x", "y"],
    ["--", "-x"], ["x", "--unknown"], ["x", "--json=1"], ["x", "--speaker", "-Ana"], ["-1"], ["x", "-k", "٣"],
]


def typer_kwargs(args: list[str]) -> dict[str, Any]:
    """What typer calls ``search`` with for ``cairn search ARGS`` (the command swapped for a recorder)."""
    seen: dict[str, Any] = {}

    @functools.wraps(search_cmd.search)
    def record(**kwargs: Any) -> None:
        seen.update(kwargs)

    app = build_app()
    for command in app.registered_commands:
        if command.name == "search":
            command.callback = record
    with pytest.raises(SystemExit) as done:
        app(["search", *args])
    assert done.value.code == 0
    return seen


@pytest.mark.parametrize("args", PLAIN, ids=" ".join)
def test_a_plain_line_gives_the_call_typer_makes(args: list[str]) -> None:
    fast = parse(search_cmd.search, args)
    assert fast is not None
    defaults = {name: p.default for name, p in inspect.signature(search_cmd.search).parameters.items()}
    assert {**defaults, **fast} == typer_kwargs(args)


@pytest.mark.parametrize("args", NOT_PLAIN, ids=" ".join)
def test_anything_else_is_left_to_typer(args: list[str]) -> None:
    assert parse(search_cmd.search, args) is None


def test_a_fresh_search_answers_without_pydantic_and_errors_stay_typers(tmp_path: Path) -> None:
    env = {**os.environ, "CAIRN_HOME": str(tmp_path / "home"), "CAIRN_PASSPHRASE": TEST_PASSPHRASE}
    probe = ("import sys\nfrom app.cli import main\nsys.argv = ['cairn', *sys.argv[1:]]\n"
             "try:\n    main()\nfinally:\n    print('pydantic' in sys.modules, file=sys.stderr)")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", probe, *args], env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=300)

    assert cli("init", "--no-keyring").returncode == 0
    found = cli("search", "anything", "--no-time-parse", "-k", "3")
    assert found.returncode == 0, found.stderr
    assert found.stderr.strip().splitlines()[-1] == "False"  # typer's parameter adapters were never built
    bad = cli("search", "anything", "-k", "many")
    assert bad.returncode == 2 and "Invalid value for '-k'" in bad.stderr
    helped = cli("search", "--help")
    assert helped.returncode == 0 and "--no-time-parse" in helped.stdout

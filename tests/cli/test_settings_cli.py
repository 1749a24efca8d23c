"""One typed settings surface: every setting has help, `cairn settings` shows and sets each one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

from app.commands.settings_cmd import parse_value
from core.settings import SETTINGS_VERSION, Settings
from tests.conftest import TEST_PASSPHRASE

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = {"bool": ("yes", True), "int": ("7", 7), "float": ("2.5", 2.5), "str | None": ("Europe/Berlin", "Europe/Berlin"),
            "tuple[str, ...]": ("a, b", ["a", "b"]), "tuple[int, ...]": ("1,2", [1, 2])}


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CAIRN_HOME": str(tmp_path / "home"), "CAIRN_PASSPHRASE": TEST_PASSPHRASE,
           "CAIRN_EMBEDDER": "none"}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_every_setting_is_typed_and_has_help() -> None:
    for f in fields(Settings):
        assert str(f.type) in EXAMPLES, f"{f.name}: a type the CLI cannot set ({f.type})"
        assert len(f.metadata.get("help", "")) > 10, f"{f.name} has no help"


def test_cli_shows_every_setting_and_sets_each_kind(tmp_path: Path) -> None:
    assert _cli(tmp_path, "init", "--no-keyring").returncode == 0
    shown = _cli(tmp_path, "settings")
    assert shown.returncode == 0, shown.stderr
    for f in fields(Settings):
        assert f"{f.name} = " in shown.stdout and f.metadata["help"] in shown.stdout
    one_of_each = {str(f.type): f.name for f in fields(Settings) if f.name != "version"}
    for kind, name in one_of_each.items():
        result = _cli(tmp_path, "settings", "set", name, EXAMPLES[kind][0])
        assert result.returncode == 0, (name, result.stderr)
    stored = json.loads(_cli(tmp_path, "settings", "--json").stdout)
    assert {name: stored[name] for name in one_of_each.values()} == {
        name: EXAMPLES[kind][1] for kind, name in one_of_each.items()}
    assert _cli(tmp_path, "settings", "set", "no_such_setting", "1").returncode == 2
    assert _cli(tmp_path, "settings", "set", "retention_days", "soon").returncode == 2


def test_every_setting_round_trips_from_its_cli_text() -> None:
    for f in fields(Settings):
        if f.name == "version":
            continue
        text, want = EXAMPLES[str(f.type)]
        changed = Settings().updated(**{f.name: parse_value(str(f.type), text)})
        assert Settings.from_dict(json.loads(json.dumps(changed.to_dict()))).to_dict()[f.name] == want, f.name


def test_settings_that_lived_in_extra_become_fields() -> None:
    old = {"version": 1, "watched_folders": ["/data"], "extra": {
        "self_names": ["Ana Lopez"], "phone_region": "DE", "timezone": "Europe/Berlin", "llm_chat_format": "chatml",
        "files": {"include_hidden": True, "follow_symlinks": True, "ignore_patterns": ["tmp/"]}}}
    settings = Settings.from_dict(old)
    assert settings.version == SETTINGS_VERSION
    assert (settings.self_names, settings.phone_region, settings.timezone, settings.llm_chat_format) == (
        ("Ana Lopez",), "DE", "Europe/Berlin", "chatml")
    assert (settings.files_include_hidden, settings.files_follow_symlinks, settings.files_ignore_patterns) == (
        True, True, ("tmp/",))
    assert settings.watched_folders == ("/data",)

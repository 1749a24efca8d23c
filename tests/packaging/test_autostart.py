"""Autostart: the XDG entry and the systemd --user unit, written and removed only under temporary XDG folders."""

from __future__ import annotations

import configparser
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.autostart.entries import systemd_unit
from core.autostart.launcher import Launcher, find_launcher
from core.autostart.manager import AutostartPlaces, NoSystemd, disable, enable, status
from tests.conftest import TEST_PASSPHRASE

ROOT = Path(__file__).resolve().parents[2]


def launcher(tmp_path: Path) -> Launcher:
    # Paths with a space, a percent sign and a dollar: the quoting rules of both formats get exercised.
    bin_dir = tmp_path / "odd dir %1 $x"
    return Launcher(cli=(str(bin_dir / "cairn"),), app=(str(bin_dir / "cairn-app"),), home=tmp_path / "my vault")


def test_app_mode_writes_a_valid_desktop_entry_and_off_removes_it(tmp_path: Path) -> None:
    places = AutostartPlaces(tmp_path / "config")
    state = enable("app", launcher(tmp_path), places, NoSystemd())
    assert state.mode == "app" and state.files == (places.desktop_entry,)
    done = subprocess.run(["desktop-file-validate", str(places.desktop_entry)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "", done.stdout + done.stderr
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(places.desktop_entry, encoding="utf-8")
    exec_line = entry["Desktop Entry"]["Exec"]
    assert "--tray" in exec_line and "--home" in exec_line
    assert "%%1" in exec_line and "\\\\$x" in exec_line  # %-codes doubled, $ escaped inside the quotes
    assert entry["Desktop Entry"]["TryExec"].endswith("cairn-app")
    assert status(places).mode == "app"

    other = places.config_home / "autostart" / "someone-else.desktop"
    other.write_text("[Desktop Entry]\nType=Application\nName=Other\nExec=other\n", "utf-8")
    assert disable(places, NoSystemd()).mode is None
    assert not places.desktop_entry.exists() and other.exists()  # only Cairn's file goes
    assert status(places).mode is None


def test_daemon_mode_writes_an_enabled_unit_and_replaces_the_app_mode(tmp_path: Path) -> None:
    places = AutostartPlaces(tmp_path / "config")
    enable("app", launcher(tmp_path), places, NoSystemd())
    state = enable("daemon", launcher(tmp_path), places, NoSystemd())
    assert state.mode == "daemon" and not places.desktop_entry.exists()  # one capture host, not two
    assert places.wants_link.is_symlink() and places.wants_link.resolve() == places.unit.resolve()
    assert any("next graphical login" in n for n in state.notes)
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.read(places.unit, encoding="utf-8")
    service = unit["Service"]
    assert service["Restart"] == "on-failure"
    assert service["ExecStart"].endswith('daemon --home "' + str(tmp_path / "my vault") + '"')
    assert "autostart key-available" in service["ExecCondition"]
    assert '"' + str(tmp_path / "odd dir %%1 $$x" / "cairn") + '"' in service["ExecStart"]
    assert unit["Install"]["WantedBy"] == "graphical-session.target"
    assert status(places).mode == "daemon"
    assert disable(places, NoSystemd()).mode is None
    assert not places.unit.exists() and not places.wants_link.is_symlink()
    assert not (places.config_home / "systemd").exists()  # empty folders Cairn made are gone too


def test_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is part of systemd, which setup installs"
    exe = tmp_path / "bin" / "cairn"
    exe.parent.mkdir()
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(0o755)
    unit = tmp_path / "cairn-daemon.service"
    unit.write_text(systemd_unit(Launcher(cli=(str(exe),), app=(str(exe),), home=tmp_path / "v")), "utf-8")
    done = subprocess.run([analyze, "verify", "--man=no", str(unit)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"})
    problems = [line for line in (done.stdout + done.stderr).splitlines()
                if "cairn-daemon.service" in line and "graphical-session.target" not in line]
    assert problems == [], done.stdout + done.stderr


def test_find_launcher_prefers_the_launchers_beside_the_interpreter() -> None:
    found = find_launcher()
    venv_cli = Path(sys.executable).parent / "cairn"
    if venv_cli.exists():
        assert found.cli == (str(venv_cli),)
    else:
        assert found.cli == (sys.executable, "-m", "app.cli")
    assert found.home is None


@pytest.fixture()
def cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    config = tmp_path / "config"
    env = {**os.environ, "XDG_CONFIG_HOME": str(config), "HOME": str(tmp_path), "CAIRN_HOME": str(tmp_path / "v"),
           "CAIRN_SYSTEMCTL": "off"}
    env.pop("CAIRN_PASSPHRASE", None)

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "app.cli", *args], env={**env, **extra}, cwd=ROOT,
                              capture_output=True, text=True, timeout=300)

    run.config = config  # type: ignore[attr-defined]
    return run


def test_cli_on_status_off(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    places = AutostartPlaces(cli.config)
    assert json.loads(cli("autostart", "status", "--json").stdout)["mode"] is None
    on = cli("autostart", "on")
    assert on.returncode == 0, on.stderr
    assert places.desktop_entry.exists()
    assert str(tmp_path / "v") in places.desktop_entry.read_text("utf-8")  # $CAIRN_HOME baked in
    assert json.loads(cli("autostart", "status", "--json").stdout)["mode"] == "app"
    daemon = cli("autostart", "on", "--mode", "daemon")
    assert daemon.returncode == 0, daemon.stderr
    assert places.unit.exists() and not places.desktop_entry.exists()
    assert cli("autostart", "on", "--mode", "tray").returncode == 2
    off = cli("autostart", "off")
    assert off.returncode == 0 and "removed" in off.stdout
    assert not places.unit.exists() and json.loads(cli("autostart", "status", "--json").stdout)["mode"] is None


def test_key_available_is_the_daemon_start_condition(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("autostart", "key-available").returncode == 1  # no vault yet
    assert cli("init", "--no-keyring", CAIRN_PASSPHRASE=TEST_PASSPHRASE).returncode == 0
    assert cli("autostart", "key-available").returncode == 1  # passphrase-only vault, no passphrase at hand
    assert cli("autostart", "key-available", CAIRN_PASSPHRASE="wrong").returncode == 1
    assert cli("autostart", "key-available", CAIRN_PASSPHRASE=TEST_PASSPHRASE).returncode == 0
    assert cli("lock").returncode == 0
    assert cli("autostart", "key-available", CAIRN_PASSPHRASE=TEST_PASSPHRASE).returncode == 1  # locked: stay off

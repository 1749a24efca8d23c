"""One version number, pyproject.toml's, shown by `cairn --version`, the About box, the metainfo and the .deb."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def pyproject_version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"])


def test_core_version_reads_pyproject(tmp_path: Path, monkeypatch: Any) -> None:
    from core import version as version_module

    assert version_module.version() == pyproject_version()
    bumped = tmp_path / "pyproject.toml"
    bumped.write_text('[project]\nname = "cairn"\nversion = "9.8.7"\n', "utf-8")
    monkeypatch.setattr(version_module, "source_pyproject", lambda: bumped)
    assert version_module.version() == "9.8.7"  # a bumped number shows without reinstalling
    bumped.write_text('[project]\nname = "someone-else"\nversion = "1.0"\n', "utf-8")
    assert version_module.version() != "1.0"  # never another project's number


def test_cli_prints_the_version_fast_path_and_through_typer() -> None:
    want = f"cairn {pyproject_version()}"
    for argv in (["--version"], ["--version", "status"]):  # the second goes through typer's eager option
        done = subprocess.run([sys.executable, "-m", "app.cli", *argv], cwd=ROOT, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == want
    listed = subprocess.run([sys.executable, "-m", "app.cli", "--help"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert "--version" in listed.stdout and "autostart" in listed.stdout


def test_version_fast_path_loads_no_cli_machinery() -> None:
    code = ("import sys; sys.argv = ['cairn', '--version']\nimport app.cli\napp.cli.main()\n"
            "print(sorted(m for m in ('typer', 'rich', 'click', 'core.vault') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"


def test_about_box_shows_the_version(qapp: Any, tmp_path: Path) -> None:
    from ui.shell.about import about_box

    box = about_box(tmp_path / "vault")
    assert f"Cairn {pyproject_version()}" in box.text()
    assert str(tmp_path / "vault") in box.text()
    box.deleteLater()


def test_tray_menu_offers_about(qapp: Any) -> None:
    from ui.shell.tray import Tray

    tray = Tray()
    seen: list[bool] = []
    tray.about_requested.connect(lambda: seen.append(True))
    assert tray.about_action in tray.menu.actions()
    tray.about_action.trigger()
    assert seen == [True]


def test_metainfo_lists_a_release_for_this_version() -> None:
    tree = ET.parse(ROOT / "packaging" / "linux" / "org.cairn.Cairn.metainfo.xml")
    releases = [r.get("version") for r in tree.getroot().iter("release")]
    assert pyproject_version() in releases, "add a <release> for the new version to the metainfo"

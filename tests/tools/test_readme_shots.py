"""Every picture the README shows is one tools.screenshots renders (``README_SHOTS``), and ``--readme`` copies
them all or none: a stale hand-made render can no longer sit in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools.screenshots import README_SHOTS, _copy_readme_shots

ROOT = Path(__file__).resolve().parents[2]


def test_each_readme_picture_is_a_rendered_shot() -> None:
    shown = set(re.findall(r"\(assets/screenshots/([\w.-]+\.png)\)", (ROOT / "README.md").read_text("utf-8")))
    assert shown and shown == set(README_SHOTS)
    themes = {shot.split("-", 1)[0] for shot in README_SHOTS.values()}
    assert themes == {"light", "dark"}  # the README shows both themes


def test_readme_copies_all_or_none(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shots = tmp_path / "shots"
    shots.mkdir()
    written = []
    for shot in sorted(set(README_SHOTS.values()))[1:]:  # one missing
        (shots / shot).write_bytes(b"png")
        written.append(shots / shot)
    folder = tmp_path / "readme"
    assert _copy_readme_shots(written, folder) == 1
    assert "error: no " in capsys.readouterr().out and not folder.exists()
    missing = sorted(set(README_SHOTS.values()))[0]
    (shots / missing).write_bytes(b"png")
    assert _copy_readme_shots([*written, shots / missing], folder) == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted(README_SHOTS)


def test_readme_needs_both_themes(capsys: pytest.CaptureFixture[str]) -> None:
    from tools.screenshots import options

    with pytest.raises(SystemExit):
        options(["--theme", "light", "--readme", "unused"])
    assert "--theme both" in capsys.readouterr().err

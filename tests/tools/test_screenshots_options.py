"""tools.screenshots: ``--scale`` reaches Qt through QT_SCALE_FACTOR; a nonsense factor is a clear error."""

from __future__ import annotations

import os

import pytest

from tools.screenshots import options


@pytest.fixture(autouse=True)
def own_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """options() writes the process environment (QT_SCALE_FACTOR, TZ, the theme): keep those writes in this test.

    ``monkeypatch.delenv`` of an unset variable records nothing, so a QT_SCALE_FACTOR=2 set here once leaked into
    every later test: the autofill form then opened twice its size, past its Xvfb screen's edge.
    """
    monkeypatch.setattr(os, "environ", dict(os.environ))


def test_scale_sets_the_qt_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QT_SCALE_FACTOR", raising=False)
    options(["--out", "unused"])
    assert "QT_SCALE_FACTOR" not in os.environ  # 1x unless asked
    options(["--scale", "2", "--out", "unused"])
    assert os.environ["QT_SCALE_FACTOR"] == "2"


def test_a_nonsense_scale_is_refused(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("QT_SCALE_FACTOR", raising=False)
    with pytest.raises(SystemExit):
        options(["--scale", "40"])
    assert "error: --scale 40: give a factor between 0.5 and 4" in capsys.readouterr().err
    assert "QT_SCALE_FACTOR" not in os.environ

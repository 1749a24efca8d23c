"""Window-info factory: every platform either works or says clearly why not."""

from __future__ import annotations

import sys

import pytest

from core.capture.screen import window as window_mod
from core.capture.screen.idle import NullIdleSource, open_idle_source
from core.capture.screen.window import UnavailableWindowInfo, VisibleWindow, WindowInfoError
from core.capture.screen.window_backends import open_window_info


def test_no_display_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    info = open_window_info()
    assert isinstance(info, UnavailableWindowInfo) and not info.available()
    assert "DISPLAY" in (info.unavailable_reason or "")
    with pytest.raises(WindowInfoError):
        info.visible_windows()


def test_wayland_without_x11_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    assert "Wayland" in (open_window_info().unavailable_reason or "")


def test_unreachable_display_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    info = open_window_info(display=":987")
    assert not info.available() and "987" in (info.unavailable_reason or "")


@pytest.mark.parametrize(("platform", "package"), [("win32", "pywin32"), ("darwin", "pyobjc")])
def test_missing_optional_dependency_is_reported(monkeypatch: pytest.MonkeyPatch, platform: str, package: str) -> None:
    if platform == sys.platform:
        pytest.skip("the real backend is installed on this platform")
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setitem(sys.modules, "win32gui", None)  # importing it raises ImportError
    monkeypatch.setitem(sys.modules, "Quartz", None)
    info = open_window_info()
    assert not info.available() and package in (info.unavailable_reason or "")


def test_unknown_platform_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "plan9")
    assert "plan9" in (open_window_info().unavailable_reason or "")


def test_idle_source_without_display_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    source = open_idle_source()
    assert isinstance(source, NullIdleSource)
    assert source.input_idle_seconds() is None and source.screen_locked() is None


def test_app_names_cover_class_instance_and_process() -> None:
    window = VisibleWindow(1, "KeePassXC", "db", 0, 0, 10, 10, app_instance="keepassxc", process="keepassxc.exe")
    assert window.app_names() == {"keepassxc"}
    assert window_mod.normalise_app_name("1Password 8") == "1password8"

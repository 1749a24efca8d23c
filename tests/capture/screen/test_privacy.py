"""The privacy veto, the pause switch and duration parsing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.capture.screen.privacy import InvalidDuration, PauseControl, PrivacyPolicy, parse_duration
from core.capture.screen.window import VisibleWindow, normalise_app_name
from core.settings import Settings


def _win(app: str, title: str, *, focused: bool = False, process: str | None = None, wid: int = 1) -> VisibleWindow:
    return VisibleWindow(wid, app, title, 0, 0, 800, 600, focused=focused, process=process)


@pytest.fixture
def policy() -> PrivacyPolicy:
    return PrivacyPolicy.from_settings(Settings())


def test_excluded_app_vetoes_even_when_not_focused(policy: PrivacyPolicy) -> None:
    windows = [
        _win("KeePassXC", "Passwords.kdbx - KeePassXC", wid=1),
        _win("code", "main.py - Visual Studio Code", focused=True, wid=2),
    ]
    veto = policy.check(windows)
    assert veto is not None and veto.reason == "excluded_app"


@pytest.mark.parametrize(
    ("app", "process"),
    [("1Password", None), ("Bitwarden", "bitwarden"), ("Electron", "1password"), ("keepassxc", None)],
)
def test_excluded_app_matches_class_instance_or_process(policy: PrivacyPolicy, app: str, process: str | None) -> None:
    assert policy.check([_win(app, "Vault", process=process)]) is not None


@pytest.mark.parametrize(
    "title",
    [
        "Mozilla Firefox Private Browsing",
        "New Tab — Private Browsing",
        "Bank login - Private Browsing",
        "New Incognito Tab - Google Chrome",
        "GitHub - Profile 1 - Microsoft Edge - InPrivate",
        "Example Domain - Brave (Private)",
    ],
)
def test_private_window_titles_veto(policy: PrivacyPolicy, title: str) -> None:
    windows = [_win("firefox", title), _win("code", "editor", focused=True, wid=2)]
    veto = policy.check(windows)
    assert veto is not None and veto.reason == "private_window"


@pytest.mark.parametrize(
    "title",
    ["Privacy policy - Example Corp", "How incognito mode works (article)", "Private key handling - docs"],
)
def test_ordinary_titles_pass(title: str) -> None:
    # "How incognito mode works" is a real article title: the default patterns are deliberately
    # cautious and veto it, so this checks a policy with Firefox's exact suffix only.
    strict = PrivacyPolicy([], [r"— private browsing$", r"- private browsing$"])
    assert strict.check([_win("firefox", title)]) is None


def test_default_policy_lets_ordinary_windows_through(policy: PrivacyPolicy) -> None:
    windows = [_win("code", "main.py - Visual Studio Code"), _win("Slack", "design - Northwind", focused=True)]
    assert policy.check(windows) is None


def test_user_edited_list_applies() -> None:
    policy = PrivacyPolicy.from_settings(Settings().updated(excluded_apps=["Signal"]))
    assert policy.check([_win("Signal", "Signal")]) is not None
    assert policy.check([_win("KeePassXC", "db")]) is None


def test_normalise_app_name() -> None:
    assert normalise_app_name("KeePassXC.exe") == normalise_app_name("keepass xc") == "keepassxc"
    assert normalise_app_name(None) == ""


def test_pause_is_shared_through_the_runtime_dir(tmp_path: Path) -> None:
    cli = PauseControl(tmp_path)
    daemon = PauseControl(tmp_path)
    assert not daemon.state().paused
    cli.pause(timedelta(minutes=30))
    state = daemon.state()
    assert state.paused and state.until is not None
    assert "paused for" in state.describe()
    cli.resume()
    assert not daemon.state().paused
    # Nothing personal in the file: only flags and times.
    content = (tmp_path / PauseControl.FILE_NAME).read_text()
    assert set(__import__("json").loads(content)) == {"paused", "until", "since"}


def test_timed_pause_expires(tmp_path: Path) -> None:
    control = PauseControl(tmp_path)
    start = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    control.pause(timedelta(minutes=30), now=start)
    assert control.state(now=start + timedelta(minutes=29)).paused
    assert not control.state(now=start + timedelta(minutes=31)).paused


def test_pause_until_resumed_in_memory() -> None:
    control = PauseControl()
    control.pause()
    assert control.state().paused and control.state().until is None
    assert control.state().describe() == "paused until resumed"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30m", 1800), ("2h", 7200), ("1h30m", 5400), ("45 s", 45), ("1 day", 86400), ("1.5h", 5400)],
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "30", "soon", "10 fortnights", "5m later", "0m"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(InvalidDuration):
        parse_duration(text)


def test_status_snapshot_round_trip_and_liveness(tmp_path: Path) -> None:
    import os

    from core.capture.screen.health import Health, daemon_alive, read_status, status_path, write_status

    health = Health()
    health.set_state("capturing")
    health.seen(3)
    health.skip("private_window", 2)
    health.stored()
    write_status(status_path(tmp_path), health.snapshot())
    snapshot = read_status(status_path(tmp_path))
    assert snapshot is not None and snapshot.pid == os.getpid()
    assert snapshot.frames_seen == 3 and snapshot.skipped == {"private_window": 2}
    assert daemon_alive(snapshot)
    assert not daemon_alive(snapshot, now=datetime.now(UTC) + timedelta(minutes=5))
    text = "\n".join(snapshot.describe())
    assert "capturing" in text and "private_window 2" in text and "last indexed" in text
    assert read_status(tmp_path / "missing.json") is None

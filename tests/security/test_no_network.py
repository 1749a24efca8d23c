"""Nothing leaves the machine: index, search, ask and the daemon under strace open no socket but local IPC.

The processes run with the environment a user's shell gives them (no
telemetry switch set by the test: Cairn must set them itself) and a home
folder of their own, which must hold nothing afterwards: no
``~/.cache/Microsoft`` device id, no library writing outside ``CAIRN_HOME``
and the model folder ``CAIRN_MODELS_DIR`` names.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.process_env import TELEMETRY_OFF
from tests.capture.screen.xserver import QtWindow, x_tools_missing, xserver
from tests.conftest import TEST_PASSPHRASE
from tests.helpers import jsonl_line, write_jsonl

ROOT = Path(__file__).resolve().parents[2]
SOCKET_CALL = re.compile(r"\b(socket|socketpair)\((AF_\w+|\d+)")
ADDRESS_FAMILY = re.compile(r"sa_family=(AF_\w+)")


def _user_env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "user-home"
    for sub in (".cache", ".config", ".local/share", ".local/state"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    keep = ("PATH", "LANG", "LC_ALL", "TZ", "CAIRN_MODELS_DIR", "DISPLAY", "XAUTHORITY")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    assert not set(env) & set(TELEMETRY_OFF)
    return {**env, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local/share"),
            "XDG_STATE_HOME": str(home / ".local/state"), "CAIRN_HOME": str(tmp_path / "vault"),
            "CAIRN_PASSPHRASE": TEST_PASSPHRASE, "PYTHONDONTWRITEBYTECODE": "1"}


def _non_local(trace: Path) -> list[str]:
    """Trace lines that open or address anything but a Unix-domain socket."""
    bad = []
    for line in trace.read_text(errors="replace").splitlines():
        families = [m.group(2) for m in SOCKET_CALL.finditer(line)] + ADDRESS_FAMILY.findall(line)
        if any(family != "AF_UNIX" for family in families):
            bad.append(line)
    return bad


def test_index_search_ask_and_daemon_make_no_network_call(tmp_path: Path) -> None:
    strace = shutil.which("strace")
    assert strace, "strace is installed by scripts/setup.sh"
    env = _user_env(tmp_path)
    trace = tmp_path / "network.trace"
    inbox, docs = tmp_path / "inbox", tmp_path / "docs"
    inbox.mkdir()
    docs.mkdir()
    export = write_jsonl(tmp_path / "export.jsonl", [
        jsonl_line("1", "the pelicanwharf meeting moved to thursday at the harbour office"),
        jsonl_line("2", "Ana will bring the zeppelin blueprints", minutes=5),
    ])
    (docs / "plan.md").write_text("# Plan\n\nThe quillfeather bakery opens in March.\n")

    def cairn(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([strace, "-f", "-qq", "-A", "-o", str(trace), "-e", "trace=%network,execve",
                               sys.executable, "-m", "app.cli", *args],
                              env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done

    cairn("init", "--no-keyring")
    cairn("import", str(export))
    cairn("index", str(docs))
    assert "pelicanwharf" in cairn("search", "pelicanwharf", "--json", "--no-time-parse").stdout
    assert cairn("ask", "when was the pelicanwharf meeting?", "--json").stdout.strip()
    cairn("watch", "add", str(docs))
    cairn("settings", "set", "chat_inbox", str(inbox))
    daemon = subprocess.Popen([strace, "-f", "-qq", "-A", "-o", str(trace), "-e", "trace=%network,execve",
                               sys.executable, "-m", "app.cli", "daemon", "--no-screen"],
                              env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        write_jsonl(inbox / "later.jsonl", [jsonl_line("3", "the osprey nest camera is back online")])
        (docs / "more.md").write_text("The marmalade recipe needs bitter oranges.\n")
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            found = cairn("search", "osprey marmalade", "--json", "--no-time-parse").stdout
            if "osprey" in found and "marmalade" in found:
                break
            time.sleep(1)
        else:
            raise AssertionError("the daemon did not import the inbox and the watched folder")
        cairn("lock")
        out, _ = daemon.communicate(timeout=120)
    finally:
        if daemon.poll() is None:
            daemon.kill()
    assert daemon.returncode == 0, out
    assert trace.read_text().count("execve(") >= 8, "strace did not follow the commands"
    assert _non_local(trace) == []
    left = sorted(str(p.relative_to(env["HOME"])) for p in Path(env["HOME"]).rglob("*") if p.is_file())
    assert left == [], f"written outside CAIRN_HOME: {left}"


@pytest.mark.xvfb
@pytest.mark.slow
def test_the_desktop_app_capturing_the_screen_makes_no_network_call(tmp_path: Path) -> None:
    """The app itself (Qt, the embedder, screen capture with OCR in-process) on a real X server, under strace."""
    import psutil

    from core.capture.screen.window_x11 import X11WindowInfo
    from core.normalize.ocr import TesseractOcr
    from core.paths import VaultPaths
    from core.vault import Vault

    if x_tools_missing() or not TesseractOcr().available():
        pytest.skip(x_tools_missing() or "tesseract not installed")
    strace = shutil.which("strace")
    assert strace, "strace is installed by scripts/setup.sh"
    env = _user_env(tmp_path)
    trace = tmp_path / "app.trace"
    home = Path(env["CAIRN_HOME"])
    with Vault.create(VaultPaths(home), TEST_PASSPHRASE, use_keyring=False, embedder=None) as vault:
        vault.update_settings(capture_interval_s=0.5, screen_enabled=True)

    def stored() -> int:
        try:
            return int(json.loads((home / "run" / "screen-status.json").read_text()).get("frames_stored", 0))
        except (OSError, ValueError):
            return 0

    with xserver() as server:
        env["DISPLAY"] = server.display
        notes = QtWindow(server, "notes-app", "Plans - Notes", ["The quillfeather bakery opens in March"],
                         (0, 0, 1280, 800), font_px=28)
        traced = subprocess.Popen([strace, "-f", "-qq", "-o", str(trace), "-e", "trace=%network,execve",
                                   sys.executable, "-m", "app.main", "--passphrase-env"],
                                  env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        info = X11WindowInfo(server.display)
        try:
            deadline = time.monotonic() + 240
            app_pid, window = None, None
            while time.monotonic() < deadline and window is None:
                app_pid = next((c.pid for c in psutil.Process(traced.pid).children()), None)
                window = next((w for w in info.visible_windows() if w.pid == app_pid and w.width > 200), None)
                time.sleep(0.5)
            assert window is not None, "the app's window did not show"
            # Cairn never captures itself: out of the way, so that it captures the notes window.
            server.xdotool("windowminimize", str(window.window_id))
            while time.monotonic() < deadline and stored() < 1:
                time.sleep(0.5)
            assert stored() >= 1, "the app did not capture the screen"
            os.kill(app_pid, 15)  # type: ignore[arg-type]
            traced.wait(120)
        finally:
            if traced.poll() is None:
                for child in psutil.Process(traced.pid).children(recursive=True):
                    child.kill()
                traced.kill()
                traced.wait()
            notes.close()
            info.close()
    assert trace.read_text().count("execve(") >= 2, "strace did not follow the app"
    assert _non_local(trace) == []
    left = sorted(str(p.relative_to(env["HOME"])) for p in Path(env["HOME"]).rglob("*") if p.is_file())
    assert left == [], f"written outside CAIRN_HOME: {left}"


def test_the_trace_check_sees_a_network_socket(tmp_path: Path) -> None:
    """The check above can fail: a process that opens a TCP socket (connecting nowhere) is caught."""
    strace = shutil.which("strace")
    assert strace
    trace = tmp_path / "t.trace"
    code = "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_STREAM); s.close()"
    subprocess.run([strace, "-f", "-qq", "-o", str(trace), "-e", "trace=%network,execve", sys.executable, "-c", code],
                   check=True, timeout=60)
    assert any("AF_INET" in line for line in _non_local(trace))

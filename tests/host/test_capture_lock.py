"""One capture host per vault: the flock in run/ refuses a second host, names the holder, dies with its process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from core.host.capture_lock import CaptureBusy, CaptureLock, holder
from core.host.host import CaptureHost, HostOptions

OFF = HostOptions(screen=False, files=False, inbox=False, consolidate=False, tick_s=0.1)


def test_a_second_lock_is_refused_naming_the_first(tmp_path: Path) -> None:
    first, second = CaptureLock(tmp_path, "cairn daemon"), CaptureLock(tmp_path, "Cairn app")
    assert holder(tmp_path) is None
    first.acquire()
    try:
        with pytest.raises(CaptureBusy, match=rf"cairn daemon \(pid {os.getpid()}"):
            second.acquire()
        owner = holder(tmp_path)
        assert owner is not None and owner.name == "cairn daemon" and owner.pid == os.getpid()
        assert (tmp_path / "capture.lock").stat().st_mode & 0o777 == 0o600
    finally:
        first.release()
    assert holder(tmp_path) is None
    second.acquire()  # free again once released
    second.release()


def test_the_lock_goes_with_a_killed_process(tmp_path: Path) -> None:
    code = ("import sys, time; from pathlib import Path; from core.host.capture_lock import CaptureLock; "
            "CaptureLock(Path(sys.argv[1]), 'doomed').acquire(); print('held', flush=True); time.sleep(600)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parents[2])
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        owner = holder(tmp_path)
        assert owner is not None and owner.name == "doomed" and owner.pid == proc.pid
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert holder(tmp_path) is None  # kill -9 leaves no stale lock
    lock = CaptureLock(tmp_path, "next")
    lock.acquire()
    lock.release()


def test_a_second_capture_host_on_one_vault_is_refused(lexical_vault: Any) -> None:
    first = CaptureHost(lexical_vault, replace(OFF, holder="first host"))
    second = CaptureHost(lexical_vault, OFF)
    first.start()
    try:
        with pytest.raises(CaptureBusy, match="first host"):
            second.start()
        assert not second.running
    finally:
        first.stop()
    second.start()  # the first one let go when it stopped
    second.stop()
    deadline = time.monotonic() + 10
    while holder(lexical_vault.paths.runtime_dir) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert holder(lexical_vault.paths.runtime_dir) is None

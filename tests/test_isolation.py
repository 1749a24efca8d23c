"""The suite never reaches outside its own temporary folders: not the real home, not machine-wide settings."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from pathlib import Path


def test_the_session_and_its_children_run_in_a_home_of_their_own() -> None:
    real_home = Path(pwd.getpwuid(os.getuid()).pw_dir)
    home = Path(os.environ["HOME"])
    assert home != real_home and Path(tempfile_root()) in home.parents
    child = subprocess.run([sys.executable, "-c", "import pathlib; print(pathlib.Path.home())"],
                           capture_output=True, text=True, check=True)
    assert Path(child.stdout.strip()) == home
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        assert home in Path(os.environ[name]).parents


def test_no_test_writes_machine_wide_settings() -> None:
    """A test that writes /proc or /sys changes the machine for every other process: none may."""
    tests = Path(__file__).resolve().parent
    offenders = []
    for path in tests.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for needle in ('Path("/proc/sys', "Path('/proc/sys", '"/sys/', "sysctl "):
            if needle in text and path.name != Path(__file__).name:
                offenders.append(f"{path.relative_to(tests)}: {needle}")
    assert not offenders, offenders


def tempfile_root() -> str:
    import tempfile

    return tempfile.gettempdir()

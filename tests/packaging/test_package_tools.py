"""The helpers `make package` and `make package-test` rely on, on real parts: Xvfb, a real Qt window, build-info."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging" / "linux"))

from xsession import time_to_window, visible_window, xvfb  # noqa: E402

WINDOW = ("from PySide6.QtWidgets import QApplication, QLabel\n"
          "app = QApplication([])\nw = QLabel('hello')\nw.setWindowTitle('Cairn stand-in')\nw.show()\napp.exec()\n")


def test_time_to_window_sees_a_real_qt_window_and_stops_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    with xvfb() as display:
        assert visible_window(display, "Cairn stand-in") is None
        seconds = time_to_window([sys.executable, "-c", WINDOW], env, display, name="Cairn stand-in", deadline_s=120)
        assert seconds > 0
        assert visible_window(display, "Cairn stand-in") is None  # the app was stopped


def test_time_to_window_reports_an_app_that_dies(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    with xvfb() as display:
        try:
            time_to_window([sys.executable, "-c", "raise SystemExit('no window for you')"], env, display,
                           deadline_s=60)
        except RuntimeError as exc:
            assert "no window for you" in str(exc)
        else:
            raise AssertionError("a dead app must not count as a window")


def test_build_info_reports_every_native_part() -> None:
    done = subprocess.run([sys.executable, "-m", "app.cli", "build-info", "--json"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    info = json.loads(done.stdout)
    assert not [k for k, v in info.items() if isinstance(v, dict) and "error" in v], info
    assert "AVX" in info["llama_cpp"]["system_info"]  # llama.cpp's own list of the CPU features it was built with
    assert Path(info["tesseract"]["eng_traineddata"], "eng.traineddata").is_file()
    assert "CPUExecutionProvider" in info["onnxruntime"]["providers"]
    assert info["faiss"]["blas_check"] == "ok"
    assert "HEVC" in info["heif"]["decoders"]
    assert info["frozen"] is False


def test_bundle_entry_dispatches_cli_app_and_python_c(tmp_path: Path) -> None:
    entry = str(ROOT / "packaging" / "entry.py")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    version = subprocess.run([sys.executable, entry, "--version"], capture_output=True, text=True, env=env, timeout=120)
    assert version.returncode == 0 and version.stdout.startswith("cairn "), version.stderr
    # The extraction sandbox starts workers as `sys.executable -B -c CODE ARGS`; in the bundle that is this entry.
    code = "import sys; print(sys.argv)"
    done = subprocess.run([sys.executable, entry, "-B", "-c", code, "512", "7"], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "['-c', '512', '7']", done.stderr
    link = tmp_path / "cairn-app"
    link.symlink_to(entry)
    shown = subprocess.run([sys.executable, str(link), "--help"], capture_output=True, text=True, env=env, timeout=120)
    assert shown.returncode == 0 and "usage: cairn-app" in shown.stdout  # the desktop app's own options

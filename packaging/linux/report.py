"""Sizes and start times of the built artefacts: ``python packaging/linux/report.py BUNDLE OUT_DIR``.

Prints a table (bundle, .deb, tar.gz sizes; ``cairn --version`` first run and
median of five; ``cairn-app`` from start to its first window under a private
Xvfb with a fresh $HOME) and writes it to OUT_DIR/report.json.  "First run" is
the first start after the build, with whatever the page cache holds: the
machine's caches are not dropped (that needs root writes to /proc).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from xsession import time_to_window, xvfb

MB = 1_000_000
TARGET_DEB_MB = 450
TARGET_VERSION_S = 1.0


def tree_bytes(folder: Path) -> int:
    return sum(p.lstat().st_size for p in folder.rglob("*") if not p.is_dir())


def time_version(cairn: str, env: dict[str, str], runs: int = 5) -> tuple[float, float]:
    """(first run, median of the next ``runs``) seconds of ``cairn --version``."""
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        subprocess.run([cairn, "--version"], env=env, check=True, capture_output=True, timeout=120)
        times.append(time.perf_counter() - start)
    return times[0], statistics.median(times[1:])


def fresh_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAIRN_", "XDG_", "QT_"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".local/share"),
               XDG_CACHE_HOME=str(home / ".cache"), XDG_RUNTIME_DIR=str(home / "run"))
    (home / "run").mkdir(mode=0o700, parents=True, exist_ok=True)
    return env


def measure(cairn: str, cairn_app: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="cairn-report-") as tmp:
        env = fresh_env(Path(tmp))
        first, median = time_version(cairn, env)
        with xvfb() as display:
            window = time_to_window([cairn_app], env, display)
    return {"version_first_s": first, "version_median_s": median, "app_window_s": window}


def main(argv: list[str]) -> int:
    bundle, out = Path(argv[0]), Path(argv[1])
    debs = sorted(out.glob("cairn_*.deb"))
    tars = sorted(out.glob("cairn-*.tar.gz"))
    report: dict[str, float | str] = {"bundle_mb": tree_bytes(bundle) / MB}
    if debs:
        report["deb"] = debs[-1].name
        report["deb_mb"] = debs[-1].stat().st_size / MB
    if tars:
        report["tar_gz_mb"] = tars[-1].stat().st_size / MB
    report.update(measure(str(bundle / "cairn"), str(bundle / "cairn-app")))
    load = os.getloadavg()[0]
    report["load_1min"] = load
    (out / "report.json").write_text(json.dumps(report, indent=2), "utf-8")
    print(f"{'what':34} {'value':>10}  target")
    print(f"{'bundle (unpacked)':34} {report['bundle_mb']:>8.0f} MB")
    if "deb_mb" in report:
        verdict = "ok" if float(report["deb_mb"]) <= TARGET_DEB_MB else "OVER"
        print(f"{'.deb':34} {report['deb_mb']:>8.0f} MB  <= {TARGET_DEB_MB} MB {verdict}")
    if "tar_gz_mb" in report:
        print(f"{'tar.gz':34} {report['tar_gz_mb']:>8.0f} MB")
    verdict = "ok" if float(report["version_median_s"]) <= TARGET_VERSION_S else "OVER"
    print(f"{'cairn --version, first run':34} {report['version_first_s']:>9.2f}s")
    print(f"{'cairn --version, median of 5':34} {report['version_median_s']:>9.2f}s  <= {TARGET_VERSION_S} s {verdict}")
    print(f"{'cairn-app to its window (Xvfb)':34} {report['app_window_s']:>9.2f}s")
    print(f"(1-minute load average while measuring: {load:.1f} on {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

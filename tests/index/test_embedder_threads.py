"""The embedder's thread count: physical cores, read from sysfs on Linux without importing psutil."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from core.index.minilm_onnx import linux_physical_cores


def _cpu(root: Path, n: int, siblings: str, name: str = "core_cpus_list") -> None:
    topology = root / f"cpu{n}" / "topology"
    topology.mkdir(parents=True)
    (topology / name).write_text(siblings + "\n")


def test_hyper_threads_of_one_core_count_once(tmp_path: Path) -> None:
    for n, siblings in enumerate(["0,2", "1,3", "0,2", "1,3"]):
        _cpu(tmp_path, n, siblings)
    (tmp_path / "cpufreq").mkdir()  # not a cpu
    assert linux_physical_cores(tmp_path) == 2


def test_older_kernels_name_the_siblings_file_differently(tmp_path: Path) -> None:
    for n, siblings in enumerate(["0-1", "0-1", "2-3", "2-3", "4-5", "4-5"]):
        _cpu(tmp_path, n, siblings, name="thread_siblings_list")
    assert linux_physical_cores(tmp_path) == 3


def test_no_topology_is_unknown(tmp_path: Path) -> None:
    (tmp_path / "cpu0").mkdir()
    assert linux_physical_cores(tmp_path) is None
    assert linux_physical_cores(tmp_path / "missing") is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sysfs is Linux's")
def test_this_machine_agrees_with_psutil_and_psutil_stays_unimported() -> None:
    assert linux_physical_cores() == psutil.cpu_count(logical=False)
    code = ("import sys\nfrom core.index.minilm_onnx import default_threads\n"
            "n = default_threads()\nprint(n, 'psutil' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.stdout.split() == [str(psutil.cpu_count(logical=False)), "False"]

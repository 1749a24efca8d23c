"""What the user sees and picks: each catalogue model's state, getting one, and the setting that selects it.

The selection is the ``model_path`` setting (``None``: the packaged default);
``Assistant`` notices a changed setting on the next question, so a switch
needs no restart.  Threads: any; ``get_model`` blocks (run it on a worker).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.errors import CairnError
from core.llm.catalogue.download import Progress, download
from core.llm.catalogue.entries import CatalogueEntry, find_entry
from core.llm.registry import check_gguf

DEFAULT_CHOICE = "default"


@dataclass(frozen=True, slots=True)
class ModelState:
    """One catalogue model as the list shows it."""

    entry: CatalogueEntry
    downloaded: bool
    partial_bytes: int
    active: bool


def model_states(entries: tuple[CatalogueEntry, ...], models_dir: Path, model_path: str | None) -> list[ModelState]:
    active = Path(model_path).expanduser().resolve() if model_path else None
    states = []
    for entry in entries:
        path = entry.path_in(models_dir)
        part = path.with_name(path.name + ".part")
        states.append(ModelState(
            entry=entry, downloaded=entry.is_downloaded(models_dir),
            partial_bytes=part.stat().st_size if part.exists() else 0,
            active=active is not None and active == path.resolve(),
        ))
    return states


def get_model(
    entry: CatalogueEntry, models_dir: Path, *, progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None, free_bytes: Callable[[Path], int] | None = None,
) -> Path:
    """The verified file for ``entry``, downloading (or resuming) it only if it is not there yet."""
    path = entry.path_in(models_dir)
    if entry.is_downloaded(models_dir):
        return path
    return download(entry.url, path, sha256=entry.sha256, progress=progress, should_stop=should_stop,
                    free_bytes=free_bytes)


def model_path_for(choice: str, entries: tuple[CatalogueEntry, ...], models_dir: Path) -> str | None:
    """The ``model_path`` setting for ``choice``: "default", a catalogue id (downloaded), or a GGUF path.

    Raises ``CairnError`` saying what to do when the choice cannot be used yet.
    """
    if choice == DEFAULT_CHOICE:
        return None
    if any(e.id == choice for e in entries):
        entry = find_entry(entries, choice)
        if not entry.is_downloaded(models_dir):
            raise CairnError(f"{entry.name} is not downloaded yet: run `cairn model get {entry.id}` first")
        return str(entry.path_in(models_dir))
    path = Path(choice).expanduser()
    if not path.suffix and not path.exists():
        raise CairnError(f"no model {choice!r}: use 'default', a catalogue id ({', '.join(e.id for e in entries)}) "
                         "or the path of a GGUF file")
    check_gguf(path)
    return str(path.resolve())

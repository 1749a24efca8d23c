"""The model catalogue as data: which instruct GGUFs are offered, where they come from, what they need.

The packaged list is ``models.toml`` next to this module; ``$CAIRN_MODEL_CATALOGUE``
names another file of the same shape (a company mirror, or a test's local
server).  A downloaded model is ``models_dir / entry.file`` plus a
``.verified`` marker written only after its checksum matched.

Pure reads; raises ``CairnError`` for an unknown id or a malformed file.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from core import env as env_switch
from core.errors import CairnError

VERIFIED_SUFFIX = ".verified"


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """One downloadable model.  ``sha256`` is optional: the host's published checksum is used then."""

    id: str
    name: str
    file: str
    url: str
    size_mb: int
    ram_gb: float
    licence: str
    note: str = ""
    sha256: str | None = None

    def path_in(self, models_dir: Path) -> Path:
        return models_dir / self.file

    def is_downloaded(self, models_dir: Path) -> bool:
        """The file is there and passed verification (the marker matches its size)."""
        return verified_size(self.path_in(models_dir)) is not None


def load_catalogue(path: Path | None = None) -> tuple[CatalogueEntry, ...]:
    """The catalogue at ``path``, else ``$CAIRN_MODEL_CATALOGUE``, else the packaged one."""
    override = env_switch.MODEL_CATALOGUE.get()
    source = path or (Path(override) if override else None)
    try:
        if source is not None:
            text = source.read_text("utf-8")
        else:
            text = resources.files("core.llm.catalogue").joinpath("models.toml").read_text("utf-8")
        raw = tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CairnError(f"the model catalogue {source or 'models.toml'} cannot be read: {exc}") from exc
    entries = []
    for item in raw.get("model", []):
        try:
            entries.append(CatalogueEntry(
                id=str(item["id"]), name=str(item["name"]), file=_safe_file_name(str(item["file"])),
                url=str(item["url"]), size_mb=int(item["size_mb"]), ram_gb=float(item["ram_gb"]),
                licence=str(item["licence"]), note=str(item.get("note", "")),
                sha256=str(item["sha256"]).lower() if item.get("sha256") else None,
            ))
        except (KeyError, TypeError, ValueError) as exc:
            raise CairnError(f"the model catalogue has a malformed entry {item.get('id', '?')!r}: {exc}") from exc
    return tuple(entries)


def find_entry(entries: tuple[CatalogueEntry, ...], model_id: str) -> CatalogueEntry:
    for entry in entries:
        if entry.id == model_id:
            return entry
    raise CairnError(f"no model {model_id!r} in the catalogue; choose one of: {', '.join(e.id for e in entries)}")


def _safe_file_name(name: str) -> str:
    """A catalogue file name must stay inside the models folder."""
    if not name or Path(name).name != name or name.startswith(".") or not name.endswith(".gguf"):
        raise ValueError(f"file must be a plain *.gguf name, not {name!r}")
    return name


def marker_path(path: Path) -> Path:
    return path.with_name(path.name + VERIFIED_SUFFIX)


def write_marker(path: Path, sha256: str, url: str) -> None:
    stat = path.stat()
    marker_path(path).write_text(json.dumps({"size": stat.st_size, "sha256": sha256, "url": url}))


def verified_size(path: Path) -> int | None:
    """The size recorded when ``path`` was verified, if the file still has it."""
    try:
        recorded = json.loads(marker_path(path).read_text())
        size = path.stat().st_size
    except (OSError, ValueError):
        return None
    return size if recorded.get("size") == size else None

"""Cairn's one version number: ``[project] version`` in pyproject.toml, read where it can be found.

A source checkout reads pyproject.toml itself (so a bumped number shows
without reinstalling); an installed copy or a frozen bundle reads the
package metadata that the build wrote from the same file.

Pure reads, safe from any thread; raises nothing (an unknown version is "unknown").
"""

from __future__ import annotations

from pathlib import Path

DIST_NAME = "cairn"


def source_pyproject() -> Path | None:
    """The pyproject.toml of the checkout this module sits in, if it is Cairn's."""
    candidate = Path(__file__).resolve().parents[1] / "pyproject.toml"
    return candidate if candidate.is_file() else None


def version() -> str:
    """The version, e.g. ``0.1.0``."""
    pyproject = source_pyproject()
    if pyproject is not None:
        import tomllib

        try:
            project = tomllib.loads(pyproject.read_text("utf-8")).get("project", {})
        except (OSError, tomllib.TOMLDecodeError):
            project = {}
        if project.get("name") == DIST_NAME and isinstance(project.get("version"), str):
            return str(project["version"])
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version(DIST_NAME)
    except PackageNotFoundError:
        return "unknown"

"""Make the bundle's ELF files fit a Debian package: no build-machine search paths, no symbol tables, libraries 0644.

PyInstaller copies shared objects as the wheels and the build Python left them.  Three things about them break
Debian's rules (lintian errors on the real .deb):

* ``libpython`` and ``lib-dynload/*.so`` of a pyenv-built Python carry ``RUNPATH=/root/.pyenv/…/lib``, a folder of
  the build machine that a user's loader would search first (``custom-library-search-path``).  The bundle loads
  ``libpython`` from beside the executable, so the path is simply removed (``chrpath -d`` edits in place).
* Many extension modules ship with their symbol tables (``unstripped-binary-or-object``): stripped with
  ``strip --strip-unneeded``, which keeps the dynamic symbols the loader needs.
* Every ``.so`` is 0755 (``shared-library-is-executable``): 0644 is enough for ``dlopen``.

Files auditwheel repaired are left byte-for-byte alone: it rewrote their program headers with patchelf, and
``strip`` on such a file produced "ELF load command address/offset not page-aligned" (numpy's OpenBLAS).  They are
the ones inside ``*.libs/`` folders and the ones whose search path starts with ``$ORIGIN`` (auditwheel's mark);
their lintian tags are overridden with that reason.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

ELF_MAGIC = b"\x7fELF"
SHARED_LIBRARY = re.compile(r"\.so(\.\d+)*$")
SEARCH_PATH = re.compile(r"\((?:RPATH|RUNPATH)\)\s+Library r(?:un)?path: \[(?P<path>[^\]]*)\]")


@dataclass
class TidyReport:
    """What was changed, so the build can print it and a test can check it."""

    stripped: list[Path] = field(default_factory=list)
    search_path_removed: list[Path] = field(default_factory=list)
    left_as_repaired: list[Path] = field(default_factory=list)
    made_not_executable: list[Path] = field(default_factory=list)


def is_elf(path: Path) -> bool:
    if path.is_symlink() or not path.is_file():
        return False
    with open(path, "rb") as handle:
        return handle.read(4) == ELF_MAGIC


def search_path(path: Path) -> str | None:
    """The file's RPATH or RUNPATH as ``readelf -d`` prints it, or None."""
    dynamic = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True, check=False).stdout
    found = SEARCH_PATH.search(dynamic)
    return found.group("path") if found else None


def in_repaired_folder(path: Path) -> bool:
    """Inside a ``<package>.libs`` folder: a library auditwheel vendored and rewrote with patchelf."""
    return any(part.endswith(".libs") for part in path.parent.parts)


def has_symbol_table(path: Path) -> bool:
    sections = subprocess.run(["readelf", "-S", "-W", str(path)], capture_output=True, text=True, check=False).stdout
    return " .symtab " in sections or " .debug_info " in sections


def tidy(bundle: Path, launchers: tuple[str, ...] = ("cairn",)) -> TidyReport:
    """Tidy every ELF file under ``bundle`` except the launchers (PyInstaller's bootloader must stay as built)."""
    report = TidyReport()
    keep = {bundle / name for name in launchers}
    for path in sorted(bundle.rglob("*")):
        if path in keep or not is_elf(path):
            continue
        if in_repaired_folder(path):
            report.left_as_repaired.append(path)
        else:
            runpath = search_path(path)
            if runpath is not None and "$ORIGIN" not in runpath:
                subprocess.run(["chrpath", "-d", str(path)], check=True, capture_output=True)
                report.search_path_removed.append(path)
            if has_symbol_table(path):
                subprocess.run(["strip", "--strip-unneeded", "--remove-section=.comment", str(path)], check=True,
                               capture_output=True)
                report.stripped.append(path)
        if SHARED_LIBRARY.search(path.name) and path.stat().st_mode & 0o111:
            path.chmod(0o644)
            report.made_not_executable.append(path)
    return report

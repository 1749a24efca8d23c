"""Which files under a watched folder Cairn reads, and why it leaves the others alone.

Rules, in order, for every directory and file below a root:

* never descended: version-control folders, ``node_modules``, caches
  (``__pycache__``, tool caches, any folder with a ``CACHEDIR.TAG``),
  virtualenvs (any folder with a ``pyvenv.cfg``), trash folders;
* hidden names (leading dot) unless ``include_hidden``;
* editor and download leftovers (``*.swp``, ``*~``, ``~$x.docx``, ``*.part``);
* ``.cairnignore`` files in gitignore syntax (``pathspec``), in the root or any
  folder below it, each relative to its own folder, deeper files winning;
* symbolic links: a link to a file is followed (its own path is the item);
  a link to a folder only with ``follow_symlinks``, and never into a folder
  already on the current path (a loop); dangling and looping links are
  reported with the reason;
* only regular files (FIFOs, sockets and devices would block or never end);
* files over the size cap (``Settings.max_file_mb``, default 50 MB), judged
  from ``stat`` without reading, so a 2 GB sparse file costs nothing.

Binary content is judged later from the file's first bytes
(``core.normalize.extract.choose_extractor``), not here: this module never
reads file content except ``.cairnignore`` files.

Paths may contain bytes that are not UTF-8: on POSIX they arrive as ``str``
with surrogate escapes (``os.fsdecode``) and are kept that way; nothing here
encodes them.

Threads: an ``IgnoreRules`` is used by one thread at a time (the scanner or
the watcher's worker); its caches are not locked.
"""

from __future__ import annotations

import errno
import os
import stat as stat_mod
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

IGNORE_FILE = ".cairnignore"

IGNORED_DIR_NAMES = frozenset({
    ".git", ".hg", ".svn", ".bzr", "_darcs", ".jj", "CVS",
    "node_modules", "bower_components", "jspm_packages", ".yarn", ".pnpm-store",
    "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis", ".tox", ".nox",
    ".ipynb_checkpoints", ".cache", ".gradle", ".terraform", ".next", ".nuxt", ".parcel-cache", ".sass-cache",
    ".venv", "site-packages", "dist-packages",
    ".Trash", ".Trashes", "$RECYCLE.BIN", "System Volume Information", "lost+found",
})
# A folder holding one of these files is not user content (PEP 405 venvs, the cache tagging standard).
MARKER_FILES = {"pyvenv.cfg": "virtualenv", "CACHEDIR.TAG": "cache folder (CACHEDIR.TAG)"}

TEMP_FILE_PATTERNS = (
    "*.swp", "*.swo", "*.swx", "*~", "#*#", ".#*", "~$*", ".~lock.*#", "*.tmp", "*.temp", "*.part",
    "*.partial", "*.crdownload", "*.download", "*.kate-swp", "*.bak", "*.pyc", "*.pyo", "*.map", "*.lock",
)

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class IgnoreOptions:
    include_hidden: bool = False
    follow_symlinks: bool = False
    max_file_bytes: int = 50 * MIB
    extra_patterns: tuple[str, ...] = ()  # gitignore lines applied at the root, after .cairnignore

    @classmethod
    def from_settings(cls, settings: Any, **overrides: Any) -> IgnoreOptions:
        """From ``core.settings.Settings`` (``max_file_mb``), with keyword overrides."""
        return cls(max_file_bytes=int(float(settings.max_file_mb) * MIB), **overrides)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A regular file the rules let through, with the ``stat`` taken while walking."""

    path: Path
    stat: os.stat_result


@dataclass(frozen=True, slots=True)
class Skipped:
    """A path left alone.  ``by_rule``: an ignore rule (quiet); otherwise a problem with the file."""

    path: Path
    reason: str
    by_rule: bool = True
    is_dir: bool = False


def human_size(n: float) -> str:
    """``52428800`` -> ``"50 MB"`` (binary multiples, as file managers and the size-cap setting count)."""
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}".replace(".0 ", " ")
        n /= 1024
    return f"{n:,.1f} TB"


def _load_spec(directory: Path) -> Any | None:
    import pathspec

    try:
        with open(directory / IGNORE_FILE, "rb") as fh:
            raw = fh.read(1 << 20)
    except OSError:
        return None
    lines = raw.decode("utf-8", errors="replace").splitlines()
    return pathspec.GitIgnoreSpec.from_lines(lines)


class IgnoreRules:
    """The rules for one watched root.  ``walk()`` lists files; ``check()`` judges one path."""

    def __init__(self, root: Path, options: IgnoreOptions | None = None) -> None:
        self.root = Path(os.path.abspath(root))
        self.options = options or IgnoreOptions()
        self._specs: dict[Path, Any | None] = {}
        self._extra: Any | None = None
        if self.options.extra_patterns:
            import pathspec

            self._extra = pathspec.GitIgnoreSpec.from_lines(list(self.options.extra_patterns))

    # ----------------------------------------------------------------- .cairnignore

    def invalidate(self, directory: Path | None = None) -> None:
        """Forget cached ``.cairnignore`` files (all, or the one in ``directory``)."""
        if directory is None:
            self._specs.clear()
        else:
            self._specs.pop(Path(directory), None)

    def _spec(self, directory: Path) -> Any | None:
        if directory not in self._specs:
            if len(self._specs) > 50_000:
                self._specs.clear()
            self._specs[directory] = _load_spec(directory)
        return self._specs[directory]

    def _ignored_by_files(self, path: Path, is_dir: bool) -> bool:
        """gitignore semantics across nested ``.cairnignore`` files; the deepest match decides."""
        try:
            rel = path.relative_to(self.root)
        except ValueError:
            return False
        verdict: bool | None = None
        base = self.root
        parts = rel.parts
        for depth in range(len(parts)):
            spec = self._spec(base)
            if spec is not None:
                sub = "/".join(parts[depth:]) + ("/" if is_dir else "")
                result = spec.check_file(sub)
                if result.include is not None:
                    verdict = result.include
            base = base / parts[depth]
        if self._extra is not None:
            result = self._extra.check_file(rel.as_posix() + ("/" if is_dir else ""))
            if result.include is not None:
                verdict = result.include
        return bool(verdict)

    # ----------------------------------------------------------------- rules by name

    def dir_reason(self, path: Path) -> str | None:
        """Why the directory ``path`` is not descended into, or ``None``."""
        name = path.name
        if name in IGNORED_DIR_NAMES:
            return f"ignored folder ({name})"
        if name.startswith(".") and not self.options.include_hidden:
            return "hidden folder"
        for marker, what in MARKER_FILES.items():
            if os.path.lexists(path / marker):
                return f"ignored folder ({what})"
        if self._ignored_by_files(path, is_dir=True):
            return f"matched by {IGNORE_FILE}"
        return None

    def file_name_reason(self, path: Path) -> str | None:
        """Why the file ``path`` is ignored by name alone, or ``None``."""
        name = path.name
        if name == IGNORE_FILE:
            return f"{IGNORE_FILE} (rules, not content)"
        if name.startswith(".") and not self.options.include_hidden:
            return "hidden file"
        if any(fnmatchcase(name, pattern) for pattern in TEMP_FILE_PATTERNS):
            return "temporary or lock file"
        if self._ignored_by_files(path, is_dir=False):
            return f"matched by {IGNORE_FILE}"
        return None

    def size_reason(self, st: os.stat_result) -> str | None:
        if st.st_size > self.options.max_file_bytes:
            return (f"{human_size(st.st_size)} is over the {human_size(self.options.max_file_bytes)} size cap")
        return None

    # ----------------------------------------------------------------- one path

    def check(self, path: Path) -> Candidate | Skipped:
        """Judge one file path below the root (for watcher events): every rule, ancestors included."""
        path = Path(os.path.abspath(path))
        try:
            rel = path.relative_to(self.root)
        except ValueError:
            return Skipped(path, "outside the watched folder")
        ancestor = self.root
        for part in rel.parts[:-1]:
            ancestor = ancestor / part
            reason = self.dir_reason(ancestor)
            if reason:
                return Skipped(path, reason, is_dir=True)
            if not self.options.follow_symlinks and os.path.islink(ancestor):
                return Skipped(path, "inside a symbolic link to a folder (not followed)")
        reason = self.file_name_reason(path)
        if reason:
            return Skipped(path, reason)
        return self._judge_file(path)

    def _judge_file(self, path: Path) -> Candidate | Skipped:
        try:
            st = os.stat(path)  # follows a link to a file
        except FileNotFoundError:
            if os.path.islink(path):
                return Skipped(path, "dangling symbolic link", by_rule=False)
            return Skipped(path, "file vanished", by_rule=False)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return Skipped(path, "symbolic link loop (too many levels of symbolic links)", by_rule=False)
            if exc.errno in (errno.EACCES, errno.EPERM):
                return Skipped(path, "permission denied", by_rule=False)
            return Skipped(path, f"cannot stat: {exc.strerror or exc}", by_rule=False)
        if stat_mod.S_ISDIR(st.st_mode):
            return Skipped(path, "is a folder", is_dir=True)
        if not stat_mod.S_ISREG(st.st_mode):
            return Skipped(path, "not a regular file (pipe, socket or device)", by_rule=False)
        reason = self.size_reason(st)
        if reason:
            return Skipped(path, reason, by_rule=False)
        return Candidate(path, st)

    # ----------------------------------------------------------------- the walk

    def walk(self, start: Path | None = None) -> Iterator[Candidate | Skipped]:
        """Every file below ``start`` (default: the root), depth first, never following a loop.

        Yields a ``Candidate`` per file to consider and a ``Skipped`` per file
        or folder left alone (a skipped folder is reported once, not per file
        inside it).  Unreadable folders are reported and the walk goes on.
        """
        start = Path(os.path.abspath(start or self.root))
        try:
            root_stat = os.stat(start)
        except OSError as exc:
            yield Skipped(start, f"cannot open folder: {exc.strerror or exc}", by_rule=False, is_dir=True)
            return
        # Stack of (directory, (dev, ino) of the directories on the path to it).
        stack: list[tuple[Path, frozenset[tuple[int, int]]]] = [
            (start, frozenset({(root_stat.st_dev, root_stat.st_ino)}))]
        while stack:
            directory, ancestors = stack.pop()
            try:
                with os.scandir(directory) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as exc:
                yield Skipped(directory, f"cannot list folder: {exc.strerror or exc}", by_rule=False, is_dir=True)
                continue
            subdirs: list[tuple[Path, frozenset[tuple[int, int]]]] = []
            for entry in entries:
                path = directory / entry.name
                try:
                    is_link = entry.is_symlink()
                    is_dir = entry.is_dir(follow_symlinks=True)
                except OSError:
                    is_link, is_dir = True, False
                if is_dir:
                    reason = self.dir_reason(path)
                    if reason:
                        yield Skipped(path, reason, is_dir=True)
                        continue
                    if is_link and not self.options.follow_symlinks:
                        yield Skipped(path, "symbolic link to a folder (not followed)", is_dir=True)
                        continue
                    try:
                        st = entry.stat(follow_symlinks=True)
                    except OSError as exc:
                        yield Skipped(path, f"cannot open folder: {exc.strerror or exc}", by_rule=False, is_dir=True)
                        continue
                    key = (st.st_dev, st.st_ino)
                    if key in ancestors:
                        yield Skipped(path, "symbolic link loop (points back to a folder above it)",
                                      by_rule=False, is_dir=True)
                        continue
                    subdirs.append((path, ancestors | {key}))
                    continue
                reason = self.file_name_reason(path)
                if reason:
                    yield Skipped(path, reason)
                    continue
                yield self._judge_file(path)
            stack.extend(reversed(subdirs))

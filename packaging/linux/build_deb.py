"""Stage the one-folder bundle as a Debian package tree and build ``cairn_<version>_<arch>.deb`` with dpkg-deb.

``python packaging/linux/build_deb.py BUNDLE_DIR OUT_DIR [--version V]`` lays out:
/opt/cairn (the bundle), /usr/bin/cairn and /usr/bin/cairn-app (symlinks), the
.desktop entry, the AppStream metainfo, hicolor icons, manual pages, the
copyright and changelog, the lintian overrides, and DEBIAN/{control,postrm,md5sums}.  The
version comes from pyproject.toml unless given (the upgrade test builds an
older one).  Prints the path of the .deb.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

from elf_tidy import tidy

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PACKAGE = "cairn"
MAINTAINER = "Cairn developers <cairn-packaging@users.noreply.example.org>"
# What the bundle does not carry: the C library and the X11/GL/D-Bus stack Qt's xcb platform loads at run time.
# sensible-utils: the bundled libblkid/libmount name sensible-pager.
DEPENDS = ("libc6 (>= 2.31), sensible-utils, libstdc++6, libgcc-s1, zlib1g, libglib2.0-0, libegl1, libgl1, "
           "libopengl0, libfontconfig1, libfreetype6, libdbus-1-3, libx11-6, libx11-xcb1, libxkbcommon0, libxkbcommon-x11-0, "
           "libxcb1, libxcb-cursor0, libxcb-icccm4, libxcb-image0, libxcb-keysyms1, libxcb-randr0, "
           "libxcb-render0, libxcb-render-util0, libxcb-shape0, libxcb-shm0, libxcb-sync1, libxcb-util1, "
           "libxcb-xfixes0, libxcb-xkb1")
RECOMMENDS = "gnome-keyring | kwalletmanager, fonts-noto-color-emoji"  # colour emoji; else the bundled Noto Emoji
DESCRIPTION = """\
Encrypted personal memory: search and ask about what you saw, read and said
 Cairn remembers what you saw, read and said on your computer: screenshots
 (read with OCR), documents in watched folders and chat exports. It keeps
 everything in an encrypted SQLCipher vault on this device and answers with
 a local language model that cites the exact memory.
 .
 This package ships a self-contained bundle under /opt/cairn (Python, Qt,
 llama.cpp, ONNX Runtime, Tesseract with English data, the embedding model
 and the default GGUF model) and the commands cairn and cairn-app.
"""


def project_version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"])


def architecture() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()


def _gzip(text: str, target: Path) -> None:
    # -n: no name or time stamp in the header, so the package is reproducible (lintian checks this).
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
        gz.write(text.encode("utf-8"))


def _copyright() -> str:
    return ("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
            "Upstream-Name: cairn\n\n"
            "Files: *\nCopyright: 2026 The Cairn developers\nLicense: Apache-2.0\n\n"
            "Files: opt/cairn/_internal/*\nCopyright: their respective authors (Python, Qt for Python, llama.cpp,\n"
            " ONNX Runtime, Tesseract, SQLCipher and the Python libraries listed in the bundle's\n"
            " *.dist-info folders, each with its licence file)\n"
            "License: various-see-bundle\n"
            " Each bundled component keeps its own licence text inside /opt/cairn/_internal.\n\n"
            "License: Apache-2.0\n On Debian systems, the full text of the Apache License 2.0 can be found in\n"
            " /usr/share/common-licenses/Apache-2.0.\n")


def _changelog(version: str) -> str:
    when = datetime.fromtimestamp(int(os.environ.get("SOURCE_DATE_EPOCH", "1796601600")), UTC)
    return (f"{PACKAGE} ({version}) unstable; urgency=medium\n\n"
            f"  * Release {version}: see the README for what changed.\n\n"
            f" -- {MAINTAINER}  {when.strftime('%a, %d %b %Y %H:%M:%S +0000')}\n")


def _installed_size_kib(root: Path) -> int:
    return sum((p.lstat().st_size + 1023) // 1024 for p in root.rglob("*") if not p.is_dir()) + 1


def stage(bundle: Path, tree: Path, version: str, arch: str) -> None:
    """Lay out the package tree under ``tree`` (which must not exist)."""
    for launcher in ("cairn", "cairn-app"):
        if not (bundle / launcher).is_file():
            raise SystemExit(f"{bundle} has no {launcher} launcher: build the bundle first")
    shutil.copytree(bundle, tree / "opt" / PACKAGE, symlinks=True)
    tidied = tidy(tree / "opt" / PACKAGE)
    print(f"ELF files: {len(tidied.stripped)} stripped, {len(tidied.search_path_removed)} build-machine search paths "
          f"removed, {len(tidied.made_not_executable)} libraries made 0644, {len(tidied.left_as_repaired)} left as "
          "auditwheel repaired them", file=sys.stderr)
    (tree / "usr" / "bin").mkdir(parents=True)
    for launcher in ("cairn", "cairn-app"):
        (tree / "usr" / "bin" / launcher).symlink_to(f"/opt/{PACKAGE}/{launcher}")
    share = tree / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copyfile(HERE / "cairn.desktop", share / "applications" / "cairn.desktop")
    (share / "metainfo").mkdir(parents=True)
    shutil.copyfile(HERE / "org.cairn.Cairn.metainfo.xml", share / "metainfo" / "org.cairn.Cairn.metainfo.xml")
    subprocess.run([sys.executable, str(HERE / "icons.py"), str(share / "icons" / "hicolor")], check=True,
                   capture_output=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    for page in ("cairn.1", "cairn-app.1"):
        _gzip((HERE / page).read_text("utf-8"), share / "man" / "man1" / f"{page}.gz")
    doc = share / "doc" / PACKAGE
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(_copyright(), "utf-8")
    _gzip(_changelog(version), doc / "changelog.gz")
    overrides = share / "lintian" / "overrides"
    overrides.mkdir(parents=True)
    shutil.copyfile(HERE / "lintian-overrides", overrides / PACKAGE)
    debian = tree / "DEBIAN"
    debian.mkdir()
    (debian / "control").write_text(
        f"Package: {PACKAGE}\nVersion: {version}\nArchitecture: {arch}\nMaintainer: {MAINTAINER}\n"
        f"Installed-Size: {_installed_size_kib(tree)}\nDepends: {DEPENDS}\nRecommends: {RECOMMENDS}\n"
        f"Section: utils\nPriority: optional\nDescription: {DESCRIPTION}", "utf-8")
    shutil.copyfile(HERE / "postrm", debian / "postrm")
    sums = []
    for path in sorted(p for p in tree.rglob("*") if p.is_file() and not p.is_symlink() and debian not in p.parents):
        sums.append(f"{hashlib.md5(path.read_bytes()).hexdigest()}  {path.relative_to(tree)}\n")  # dpkg's md5sums format
    (debian / "md5sums").write_text("".join(sums), "utf-8")
    for path in [tree, *tree.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
        else:
            executable = path.stat().st_mode & 0o111 or path.name == "postrm"
            path.chmod(0o755 if executable else 0o644)


def build(bundle: Path, out: Path, version: str | None = None, compression: str = "xz") -> Path:
    version = version or project_version()
    arch = architecture()
    out.mkdir(parents=True, exist_ok=True)
    tree = out / f"{PACKAGE}_{version}_{arch}.tree"
    shutil.rmtree(tree, ignore_errors=True)
    stage(bundle, tree, version, arch)
    deb = out / f"{PACKAGE}_{version}_{arch}.deb"
    level = ["-z9"] if compression == "xz" else []
    subprocess.run(["dpkg-deb", "--root-owner-group", f"-Z{compression}", *level, "--build", str(tree), str(deb)],
                   check=True, capture_output=True)
    shutil.rmtree(tree)
    return deb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--version", default=None, help="package version (default: pyproject.toml's)")
    parser.add_argument("--compression", default="xz", choices=("xz", "gzip", "none"))
    args = parser.parse_args(argv)
    print(build(args.bundle, args.out, args.version, args.compression))
    return 0


if __name__ == "__main__":
    sys.exit(main())

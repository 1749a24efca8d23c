"""The Linux packaging files: the .desktop entry, AppStream metainfo, hicolor icons, postrm and the .deb layout.

Each is checked by the tool a distribution checks it with (desktop-file-validate,
appstreamcli, dpkg-deb); the .deb is built from a two-script stand-in bundle, so
this stays fast: the real bundle is `make package`'s job (and lintian's there).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"


def run(*argv: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), capture_output=True, text=True, timeout=120, **kwargs)  # type: ignore[call-overload]


def test_desktop_entry_validates() -> None:
    done = run("desktop-file-validate", str(LINUX / "cairn.desktop"))
    assert done.returncode == 0 and done.stdout.strip() == "", done.stdout + done.stderr


def test_metainfo_validates() -> None:
    done = run("appstreamcli", "validate", "--no-net", "--explain", str(LINUX / "org.cairn.Cairn.metainfo.xml"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "W:" not in done.stdout and "E:" not in done.stdout, done.stdout


def test_icons_render_in_every_hicolor_size(tmp_path: Path) -> None:
    done = run(sys.executable, str(LINUX / "icons.py"), str(tmp_path),
               env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    for size in (16, 22, 24, 32, 48, 64, 128, 256, 512):
        image = QImage(str(tmp_path / f"{size}x{size}" / "apps" / "cairn.png"))
        assert (image.width(), image.height()) == (size, size)
        centre = image.pixelColor(size // 2, size - size // 5)  # the bottom stone, not transparency
        assert centre.alpha() == 255
    assert (tmp_path / "scalable" / "apps" / "cairn.svg").read_bytes() == (ROOT / "assets/icons/cairn.svg").read_bytes()


def test_postrm_never_touches_user_data(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "opt/cairn/_internal/__pycache__").mkdir(parents=True)
    (root / "opt/cairn/_internal/__pycache__/x.pyc").write_bytes(b"\0")
    home = root / "home/sam"
    vault = home / ".local/share/Cairn"
    vault.mkdir(parents=True)
    (vault / "vault.db").write_bytes(b"ciphertext")
    (vault / "keys.json").write_text("{}")
    autostart = home / ".config/autostart/cairn.desktop"
    autostart.parent.mkdir(parents=True)
    autostart.write_text("[Desktop Entry]\n")
    before = sorted(p.relative_to(home) for p in home.rglob("*"))
    for action in ("remove", "purge"):
        done = run("sh", str(LINUX / "postrm"), action,
                   env={**os.environ, "DPKG_ROOT": str(root), "HOME": str(home), "CAIRN_HOME": str(vault)})
        assert done.returncode == 0, done.stderr
    assert sorted(p.relative_to(home) for p in home.rglob("*")) == before
    assert (vault / "vault.db").read_bytes() == b"ciphertext"
    assert not (root / "opt/cairn").exists()  # only the bundle's own leftovers go
    assert run("sh", str(LINUX / "postrm"), "nonsense", env={**os.environ, "DPKG_ROOT": str(root)}).returncode == 1


def test_deb_layout_from_a_stand_in_bundle(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    (bundle / "_internal").mkdir(parents=True)
    for name in ("cairn", "cairn-app"):
        (bundle / name).write_text("#!/bin/sh\necho stand-in\n")
        (bundle / name).chmod(0o755)
    done = run(sys.executable, str(LINUX / "build_deb.py"), str(bundle), str(tmp_path / "out"),
               "--compression", "gzip", env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    deb = Path(done.stdout.strip())
    version = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    assert deb.name.startswith(f"cairn_{version}_")
    assert run("dpkg-deb", "--field", str(deb), "Version").stdout.strip() == version
    listing = run("dpkg-deb", "--contents", str(deb)).stdout
    for expected in ("./usr/bin/cairn -> /opt/cairn/cairn", "./usr/bin/cairn-app -> /opt/cairn/cairn-app",
                     "./opt/cairn/cairn\n", "./usr/share/applications/cairn.desktop",
                     "./usr/share/metainfo/org.cairn.Cairn.metainfo.xml",
                     "./usr/share/icons/hicolor/256x256/apps/cairn.png",
                     "./usr/share/icons/hicolor/scalable/apps/cairn.svg", "./usr/share/doc/cairn/copyright",
                     "./usr/share/man/man1/cairn.1.gz"):
        assert expected in listing, expected
    assert all(" root/root " in line for line in listing.splitlines())
    control = tmp_path / "control"
    assert run("dpkg-deb", "--control", str(deb), str(control)).returncode == 0
    assert (control / "postrm").read_bytes() == (LINUX / "postrm").read_bytes()
    assert os.access(control / "postrm", os.X_OK)
    assert "usr/share/applications/cairn.desktop" in (control / "md5sums").read_text()

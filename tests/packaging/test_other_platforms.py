"""The Windows and macOS packaging files, which cannot be built here: at least well-formed and on this version."""

from __future__ import annotations

import plistlib
import re
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]


def test_specs_and_helper_scripts_are_valid_python() -> None:
    for spec in (PACKAGING / "cairn.spec", PACKAGING / "windows" / "cairn.spec", PACKAGING / "macos" / "cairn.spec"):
        compile(spec.read_text("utf-8"), str(spec), "exec")
    for script in (PACKAGING / "macos" / "make_dmg.sh", PACKAGING / "macos" / "make_icns.sh", PACKAGING / "build.sh"):
        assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0, script


def test_every_platform_names_this_version() -> None:
    manifest = ET.parse(PACKAGING / "windows" / "cairn.manifest").getroot()
    identity = manifest.find("{urn:schemas-microsoft-com:asm.v1}assemblyIdentity")
    assert identity is not None and identity.get("version") == f"{VERSION}.0"
    iss = (PACKAGING / "windows" / "cairn.iss").read_text("utf-8")
    assert f'#define AppVersion "{VERSION}"' in iss
    mac = (PACKAGING / "macos" / "cairn.spec").read_text("utf-8")
    assert re.search(rf'CAIRN_VERSION", "{re.escape(VERSION)}"', mac)


def test_macos_plists_parse_and_declare_permissions() -> None:
    entitlements = plistlib.loads((PACKAGING / "macos" / "entitlements.plist").read_bytes())
    assert entitlements["com.apple.security.cs.allow-unsigned-executable-memory"] is True
    agent = plistlib.loads((PACKAGING / "macos" / "org.cairn.Cairn.daemon.plist").read_bytes())
    assert agent["ProgramArguments"][-1] == "daemon" and agent["KeepAlive"] == {"SuccessfulExit": False}
    spec = (PACKAGING / "macos" / "cairn.spec").read_text("utf-8")
    for permission in ("Screen Recording", "Accessibility", "CGRequestScreenCaptureAccess", "AXIsProcessTrusted"):
        assert permission in spec


def test_windows_installer_keeps_user_data_and_offers_autostart() -> None:
    iss = (PACKAGING / "windows" / "cairn.iss").read_text("utf-8")
    uninstall = iss.split("[UninstallDelete]", 1)[1].split("[", 1)[0]
    assert "LOCALAPPDATA" not in uninstall.replace("%LOCALAPPDATA%\\Cairn (the vault) is never listed", "")
    assert "{localappdata}" not in uninstall.lower() and "{userappdata}" not in uninstall.lower()
    assert 'Name: "autostart"' in iss and "Flags: unchecked" in iss  # opt-in
    assert "WDA_EXCLUDEFROMCAPTURE" in iss + (PACKAGING / "windows" / "cairn.spec").read_text("utf-8")

"""One name per application: "firefox", "Mozilla Firefox" and "Firefox" are the same app.

Window systems report an app by its process or class name ("firefox",
"gnome-terminal", "code"); its window titles and OCR name it by its product
name ("Mozilla Firefox", "Visual Studio Code").  ``app_name`` maps the known
variants to one display name and gives unknown ones a tidy capitalised form,
so the memory graph holds one entity per app.
"""

from __future__ import annotations

import re
from types import MappingProxyType

_VARIANTS: MappingProxyType[str, str] = MappingProxyType({
    "firefox": "Firefox", "mozilla firefox": "Firefox", "firefox-esr": "Firefox", "org.mozilla.firefox": "Firefox",
    "chrome": "Chrome", "google chrome": "Chrome", "google-chrome": "Chrome", "chromium": "Chromium",
    "chromium-browser": "Chromium", "code": "VS Code", "visual studio code": "VS Code", "vscode": "VS Code",
    "code - oss": "VS Code", "gnome-terminal": "Terminal", "gnome-terminal-server": "Terminal",
    "gnome terminal": "Terminal", "konsole": "Konsole", "xterm": "XTerm", "thunderbird": "Thunderbird",
    "mozilla thunderbird": "Thunderbird", "obsidian": "Obsidian", "slack": "Slack", "signal": "Signal",
    "telegram-desktop": "Telegram", "telegram desktop": "Telegram", "libreoffice": "LibreOffice",
    "soffice": "LibreOffice", "evince": "Document Viewer", "nautilus": "Files", "org.gnome.nautilus": "Files",
    "microsoft edge": "Edge", "msedge": "Edge", "brave-browser": "Brave", "brave": "Brave",
    "spotify": "Spotify", "zoom": "Zoom", "teams": "Teams", "microsoft teams": "Teams",
})
_SEPARATORS = re.compile(r"[\s_]+")


def app_name(raw: str) -> str:
    """The display name of an app however it was reported ("gnome-terminal-server" → "Terminal")."""
    key = _SEPARATORS.sub(" ", raw.strip()).lower()
    if key.endswith(".exe"):
        key = key[:-4]
    known = _VARIANTS.get(key)
    if known is not None:
        return known
    if raw.strip() != raw.strip().lower():
        return raw.strip()  # already written with capitals by whoever reported it
    return " ".join(part[:1].upper() + part[1:] for part in key.replace("-", " ").split())


def is_app_name(name: str) -> bool:
    """Is ``name`` a known app ("Mozilla Firefox") rather than a person, place or topic?"""
    return _SEPARATORS.sub(" ", name.strip()).lower() in _VARIANTS


_BROWSERS = frozenset(["Firefox", "Chrome", "Chromium", "Edge", "Brave", "Safari", "Opera", "Vivaldi", "Epiphany",
                       "Web", "LibreWolf", "Tor Browser"])
_TITLE_PARTS = re.compile(r"[ \t]+[—–-][ \t]+")


def site_name(window_title: str, app: str | None) -> str | None:
    """The site or web app of a browser window ("Sync v2 — Architecture — Confluence — Mozilla Firefox" →
    "Confluence"): browsers title a tab "page — site — browser".  None for other apps and shorter titles (an
    editor's "file — folder — app" names a folder there)."""
    if not app or app_name(app) not in _BROWSERS:
        return None
    parts = [p.strip() for p in _TITLE_PARTS.split(window_title.strip()) if p.strip()]
    if len(parts) < 3 or app_name(parts[-1]) not in _BROWSERS:
        return None
    site = parts[-2]
    words = site.split()
    if not 1 <= len(words) <= 3 or not all(w[:1].isupper() for w in words):
        return None
    return site


def map_page(window_title: str) -> str | None:
    """The place a map app shows ("Boulderhaus Berlin — Google Maps — Mozilla Firefox" → "Boulderhaus Berlin")."""
    parts = [p.strip() for p in _TITLE_PARTS.split(window_title.strip()) if p.strip()]
    if len(parts) >= 2 and any(p.endswith(("Maps", "OpenStreetMap")) for p in parts[1:]):
        return parts[0]
    return None

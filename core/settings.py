"""One typed settings schema with a version and migrations.

Settings live inside the encrypted vault (they name folders and apps, which
are personal).  ``Settings.from_dict`` accepts older versions and fills
defaults, so a settings blob written by an older Cairn still loads.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

SETTINGS_VERSION = 1

DEFAULT_EXCLUDED_APPS: tuple[str, ...] = (
    "keepassxc",
    "keepass",
    "1password",
    "bitwarden",
    "lastpass",
    "dashlane",
    "enpass",
    "gnome-keyring",
    "seahorse",
    "kwalletmanager",
)

# Title patterns (case-insensitive regexes) of private/incognito browser windows.
DEFAULT_PRIVATE_WINDOW_PATTERNS: tuple[str, ...] = (
    r"incognito",                      # Chrome / Chromium / Brave ("New Incognito Tab")
    r"private browsing",               # Firefox, Safari, Brave ("Private Browsing")
    r"inprivate",                      # Edge
    r"\(private\)",                    # Brave private window suffix
    r"— private browsing|- private browsing",
    r"tor browser",
)


@dataclass(frozen=True, slots=True)
class Settings:
    version: int = SETTINGS_VERSION
    # screen capture
    screen_enabled: bool = True
    capture_interval_s: float = 3.0
    idle_pause_minutes: float = 5.0
    monitors: tuple[int, ...] = ()  # empty: every monitor
    excluded_apps: tuple[str, ...] = DEFAULT_EXCLUDED_APPS
    private_window_patterns: tuple[str, ...] = DEFAULT_PRIVATE_WINDOW_PATTERNS
    # files and chats
    watched_folders: tuple[str, ...] = ()
    chat_inbox: str | None = None
    max_file_mb: float = 50.0
    # retention
    retention_gb: float = 20.0
    retention_days: int = 365
    text_retention_days: int = 0  # 0: keep text as long as anything else
    # LLM
    model_path: str | None = None  # None: the packaged default model
    llm_context_tokens: int = 4096
    llm_threads: int = 0  # 0: physical cores
    answer_context_budget: int = 1200
    # privacy
    auto_lock_minutes: int = 0  # 0: never
    mcp_enabled: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, tuple):
                data[key] = list(value)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        data = _migrate(dict(data))
        known = {f.name: f for f in fields(cls)}
        clean: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                continue
            if isinstance(value, list):
                value = tuple(value)
            clean[key] = value
        return cls(**clean)

    def updated(self, **changes: Any) -> Settings:
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise KeyError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        normalised = {k: tuple(v) if isinstance(v, list) else v for k, v in changes.items()}
        return replace(self, **normalised)


def _migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Bring an older settings blob up to ``SETTINGS_VERSION``."""
    version = int(data.get("version", 1))
    # Future migrations go here, one ``if version == N`` step each.
    data["version"] = max(version, SETTINGS_VERSION)
    return data

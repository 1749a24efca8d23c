"""One typed settings schema with a version and migrations.

Settings live inside the encrypted vault (they name folders and apps, which
are personal).  Every setting is a typed field with its help text; the CLI
(`cairn settings`) shows and sets each of them, the dialog the common ones.  ``Settings.from_dict`` accepts older versions and fills
defaults, so a settings blob written by an older Cairn still loads.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

SETTINGS_VERSION = 2

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


def _f(default: Any, help: str) -> Any:
    """A settings field with its help text (shown by `cairn settings` and beside the dialog's widgets)."""
    if isinstance(default, (list, dict)):
        raise TypeError("settings are immutable: use a tuple")
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True, slots=True)
class Settings:
    version: int = _f(SETTINGS_VERSION, "the schema version of these settings (set by Cairn)")
    # screen capture
    screen_enabled: bool = _f(True, "capture the screen while the vault is unlocked")
    capture_interval_s: float = _f(3.0, "seconds between screen grabs while you are active")
    idle_pause_minutes: float = _f(5.0, "pause screen capture after this long without input or screen change")
    monitors: tuple[int, ...] = _f((), "monitors to capture, by number (empty: every monitor)")
    excluded_apps: tuple[str, ...] = _f(DEFAULT_EXCLUDED_APPS, "apps never captured while visible")
    private_window_patterns: tuple[str, ...] = _f(
        DEFAULT_PRIVATE_WINDOW_PATTERNS, "window titles (regular expressions) of private windows: never captured")
    # files and chats
    watched_folders: tuple[str, ...] = _f((), "folders kept indexed (`cairn watch add`)")
    chat_inbox: str | None = _f(None, "a folder whose chat exports are imported as they appear")
    max_file_mb: float = _f(50.0, "files larger than this are not read")
    files_include_hidden: bool = _f(False, "also index hidden files and folders in watched folders")
    files_follow_symlinks: bool = _f(False, "follow symbolic links inside watched folders")
    files_ignore_patterns: tuple[str, ...] = _f((), "gitignore-style patterns never indexed in any watched folder")
    ocr_languages: str | None = _f(
        None, "tesseract languages for images and scanned pages, e.g. eng+deu, each installed (empty: eng)")
    # retention
    retention_gb: float = _f(-1.0, "size budget in GB: screenshots age out first above it, then thumbnails, "
                             "text last (-1: automatic, a quarter of the free disk; 0: no limit)")
    retention_days: int = _f(365, "memories older than this are forgotten (0: kept for ever)")
    text_retention_days: int = _f(0, "keep text longer than pixels, this many days (0: as long as the rest)")
    # memory
    self_names: tuple[str, ...] = _f((), "your own names, so facts about you are recognised as yours")
    phone_region: str | None = _f(None, "two-letter region for phone numbers without a country code (empty: from the locale)")
    timezone: str | None = _f(None, "IANA time zone for day summaries (empty: UTC)")
    # LLM
    model_path: str | None = _f(None, "a GGUF file to answer with (empty: the packaged Gemma 3 270M)")
    llm_context_tokens: int = _f(4096, "the model's context window, in tokens")
    llm_threads: int = _f(0, "threads the model may use (0: the physical cores)")
    llm_chat_format: str | None = _f(None, "a chat format forced on a GGUF without a usable template (e.g. chatml)")
    answer_context_budget: int = _f(1200, "tokens of cited memories given to the model per answer")
    # privacy
    auto_lock_minutes: int = _f(15, "lock the app after this long idle (0: never); a privacy app locks by default")
    mcp_enabled: bool = _f(False, "let other programs search and ask your memory over MCP (read-only)")

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
    if version < 2:  # settings that lived in ``extra`` became typed fields
        extra = data.pop("extra", None) or {}
        files = extra.get("files") if isinstance(extra.get("files"), dict) else {}
        moved = {"files_include_hidden": files.get("include_hidden"),
                 "files_follow_symlinks": files.get("follow_symlinks"),
                 "files_ignore_patterns": files.get("ignore_patterns"),
                 "self_names": extra.get("self_names"), "phone_region": extra.get("phone_region"),
                 "timezone": extra.get("timezone"), "llm_chat_format": extra.get("llm_chat_format")}
        data.update({k: v for k, v in moved.items() if v is not None and k not in data})
    data["version"] = max(version, SETTINGS_VERSION)
    return data


def help_of(name: str) -> str:
    """The help text of one setting."""
    return str(next(f for f in fields(Settings) if f.name == name).metadata["help"])


def time_zones() -> list[str]:
    """The IANA time zones ``timezone`` may name, sorted."""
    import zoneinfo

    return sorted(zoneinfo.available_timezones())


def phone_regions() -> list[str]:
    """The two-letter regions ``phone_region`` may name (those libphonenumber knows), sorted."""
    import phonenumbers  # late: its metadata is large

    return sorted(phonenumbers.SUPPORTED_REGIONS)

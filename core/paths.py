"""Where Cairn keeps its data: ``$CAIRN_HOME`` or the platform's user data folder."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from core import env as env_switch

APP_NAME = "Cairn"


def default_home() -> Path:
    """The data directory: ``$CAIRN_HOME`` when set, else the OS user data dir."""
    env = env_switch.HOME.get()
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir  # late: keeps `import core` cheap

    return Path(user_data_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True, slots=True)
class VaultPaths:
    """Every file of one vault.  Nothing in here holds plaintext user content."""

    home: Path

    @property
    def database(self) -> Path:
        return self.home / "vault.db"

    @property
    def keyfile(self) -> Path:
        return self.home / "keys.json"

    @property
    def media_dir(self) -> Path:
        return self.home / "media"

    @property
    def models_dir(self) -> Path:
        """Derived model files (GGUF/ONNX built from packaged weights): not user content.

        ``$CAIRN_MODELS_DIR`` lets several vaults (tests, the demo) share one copy.
        """
        override = env_switch.MODELS_DIR.get()
        return Path(override) if override else self.home / "models"

    @property
    def index_dir(self) -> Path:
        """Sealed vector-index blobs (AES-GCM under the vault's key; never plaintext)."""
        return self.home / "index"

    @property
    def runtime_dir(self) -> Path:
        """Pid files, the daemon's control socket, non-secret status."""
        return self.home / "run"

    def ensure(self) -> None:
        """Create the folders; the vault's own folders and files are the user's alone, whatever the umask
        and whatever an older version or the user left (0700 folders, 0600 files)."""
        for d in (self.home, self.media_dir, self.models_dir, self.runtime_dir):
            d.mkdir(parents=True, exist_ok=True, mode=0o700)
        for d in (self.home, self.media_dir, self.runtime_dir):
            _chmod(d, 0o700)
        for name in ("vault.db", "vault.db-wal", "vault.db-shm", "keys.json"):
            _chmod(self.home / name, 0o600)
        for entry in self.runtime_dir.iterdir():
            _chmod(entry, 0o700 if entry.is_dir() else 0o600)


def _chmod(path: Path, mode: int) -> None:
    """Set ``path``'s permission bits when it exists and differs (no-op on platforms without them)."""
    with contextlib.suppress(FileNotFoundError):
        if path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)

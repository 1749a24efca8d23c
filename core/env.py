"""Every ``CAIRN_*`` environment switch, in one list: its name, what it does, and one way to read it.

Settings that the user chooses live in the vault (``core.settings``); these
switches are for the places a vault's settings cannot reach: where the vault
is, unlocking without a prompt, headless and test runs.  A test keeps this
list complete (every ``CAIRN_`` name in the code is one of these).

Pure reads of ``os.environ``: safe from any thread, raises nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Switch:
    name: str
    help: str

    def get(self) -> str | None:
        """The value, or ``None`` when unset or empty."""
        return os.environ.get(self.name) or None


HOME = Switch("CAIRN_HOME", "the data directory (default: the platform's user data folder)")
MODELS_DIR = Switch("CAIRN_MODELS_DIR", "where built model files go (ONNX graph); lets vaults share one copy")
PASSPHRASE = Switch("CAIRN_PASSPHRASE", "unlock without a prompt (CLI, MCP server; the app with --passphrase-env)")
NEW_PASSPHRASE = Switch("CAIRN_NEW_PASSPHRASE", "the new passphrase for `cairn passwd` without a prompt")
EMBEDDER = Switch("CAIRN_EMBEDDER", "'none' turns vectors off: lexical search only (tests, tiny machines)")
ASK_MODEL = Switch("CAIRN_ASK_MODEL", "'0': the app's Ask answers extractively and never loads the model")
THEME = Switch("CAIRN_THEME", "'light' or 'dark' instead of following the system (screenshots, tests)")
ANN_MIN_VECTORS = Switch("CAIRN_ANN_MIN_VECTORS", "vectors from which search uses the approximate index "
                         "(default 20000; 0 uses it always: tests, benchmarks)")
SYNC_PASSPHRASE = Switch("CAIRN_SYNC_PASSPHRASE", "the sync passphrase for `cairn sync setup` without a prompt")
NEW_SYNC_PASSPHRASE = Switch("CAIRN_NEW_SYNC_PASSPHRASE", "the new sync passphrase for `cairn sync remove` without a prompt")
SYNC_SECRET = Switch("CAIRN_SYNC_SECRET", "the WebDAV password or S3 secret key for `cairn sync setup` without a "
                     "prompt (kept in the OS keyring)")
LOG = Switch("CAIRN_LOG", "log level of the app and the CLI (default WARNING; DEBUG shows the trace of a failure)")
MODEL_CATALOGUE = Switch("CAIRN_MODEL_CATALOGUE", "a models.toml to offer instead of the packaged model catalogue")
DEMO_TERMINAL = Switch("CAIRN_DEMO_TERMINAL", "'1': `make run` opens the terminal demo even with a display")
SYSTEMCTL = Switch("CAIRN_SYSTEMCTL", "'off': `cairn autostart` writes its files but never calls systemctl --user")

SWITCHES: tuple[Switch, ...] = (HOME, MODELS_DIR, PASSPHRASE, NEW_PASSPHRASE, EMBEDDER, ASK_MODEL, THEME, LOG,
                                DEMO_TERMINAL, SYSTEMCTL, MODEL_CATALOGUE, SYNC_PASSPHRASE, NEW_SYNC_PASSPHRASE,
                                SYNC_SECRET, ANN_MIN_VECTORS)

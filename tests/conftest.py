"""Fixtures shared by the whole suite: real encrypted vaults in temporary folders.

The whole session, and every process it starts, runs with ``HOME`` and the
XDG folders in a temporary folder of its own, so that nothing a test or a
library does (caches, Qt settings, a window manager's state) reaches the real
home.  Derived model files (the ONNX graph built from the packaged MiniLM
weights) go to one session folder so each vault does not rebuild them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.paths import VaultPaths

TEST_PASSPHRASE = "correct horse battery staple"
SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"
HOME_VARIABLES = ("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")
# Qt renders offscreen in every test process (tests under Xvfb start their windows with DISPLAY set and this
# variable removed), and the UI's look does not follow the machine's theme.
# `cairn autostart` never reaches the user's real service manager from a test.
SESSION_VARIABLES = {"QT_QPA_PLATFORM": "offscreen", "CAIRN_THEME": "light", "CAIRN_SYSTEMCTL": "off"}
_SAVED_HOME_KEY = pytest.StashKey[dict[str, str | None]]()
_TEST_HOME_KEY = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    """Give the session a home of its own before any test (or library) can look at the real one."""
    home = Path(tempfile.mkdtemp(prefix="cairn-test-home-"))
    config.stash[_SAVED_HOME_KEY] = {name: os.environ.get(name) for name in (*HOME_VARIABLES, *SESSION_VARIABLES)}
    os.environ.update(SESSION_VARIABLES)
    config.stash[_TEST_HOME_KEY] = home
    os.environ["HOME"] = str(home)
    for name, folder in (("XDG_CONFIG_HOME", ".config"), ("XDG_CACHE_HOME", ".cache"),
                         ("XDG_DATA_HOME", ".local/share"), ("XDG_STATE_HOME", ".local/state")):
        (home / folder).mkdir(parents=True, exist_ok=True)
        os.environ[name] = str(home / folder)
    # Hypothesis keeps its example database and a constants cache in ./.hypothesis of the checkout by default:
    # a test writes nothing outside its temporary folders (and no example replayed from an earlier run).
    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(home / ".hypothesis")


def pytest_unconfigure(config: pytest.Config) -> None:
    for name, value in config.stash.get(_SAVED_HOME_KEY, {}).items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    home = config.stash.get(_TEST_HOME_KEY, None)
    if home is not None:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _shared_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    models = Path(os.environ.get("CAIRN_TEST_MODELS_DIR") or tmp_path_factory.mktemp("models"))
    old = os.environ.get("CAIRN_MODELS_DIR")
    os.environ["CAIRN_MODELS_DIR"] = str(models)
    yield models
    if old is None:
        os.environ.pop("CAIRN_MODELS_DIR", None)
    else:
        os.environ["CAIRN_MODELS_DIR"] = old


@pytest.fixture()
def vault_paths(tmp_path: Path) -> VaultPaths:
    return VaultPaths(tmp_path / "vault-home")


@pytest.fixture()
def vault(vault_paths: VaultPaths) -> Iterator[object]:
    """A fresh, unlocked vault with the real embedder."""
    from core.vault import Vault

    v = Vault.create(vault_paths, TEST_PASSPHRASE, use_keyring=False)
    yield v
    v.close()


@pytest.fixture()
def lexical_vault(vault_paths: VaultPaths) -> Iterator[object]:
    """A fresh vault without vectors, for tests of logic that do not involve meaning."""
    from core.vault import Vault

    v = Vault.create(vault_paths, TEST_PASSPHRASE, use_keyring=False, embedder=None)
    yield v
    v.close()


def shared_data() -> Path:
    """``../shared/data`` (read-only, development data); tests needing it skip loudly when absent."""
    return SHARED_DIR / "data"

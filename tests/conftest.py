"""Fixtures shared by the whole suite: real encrypted vaults in temporary folders.

Derived model files (the ONNX graph built from the packaged MiniLM weights) go
to one session folder so each vault does not rebuild them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.paths import VaultPaths

TEST_PASSPHRASE = "correct horse battery staple"
SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"


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

"""`cairn model list|get|use` end to end: a real local HTTP server, a real GGUF, the real CLI in fresh processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import TEST_PASSPHRASE
from tests.llm.model_server import Hosted, model_server
from tests.llm.tiny_gguf import build_tiny_gguf

ROOT = Path(__file__).resolve().parents[2]


def _catalogue(path: Path, url: str) -> Path:
    path.write_text(f'''
[[model]]
id = "tiny"
name = "Tiny Test Llama"
file = "tiny-test-llama.gguf"
url = "{url}"
size_mb = 1
ram_gb = 0.1
licence = "test"
note = "built by the test"
''')
    return path


def _cli(tmp_path: Path, catalogue: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CAIRN_HOME": str(tmp_path / "home"), "CAIRN_PASSPHRASE": TEST_PASSPHRASE,
           "CAIRN_EMBEDDER": "none", "CAIRN_MODEL_CATALOGUE": str(catalogue),
           "CAIRN_MODELS_DIR": str(tmp_path / "models")}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_list_get_use_and_back_to_default(tmp_path: Path) -> None:
    gguf = build_tiny_gguf(tmp_path / "source.gguf").read_bytes()
    with model_server() as server:
        server.files["tiny.gguf"] = Hosted(gguf, cut_after=len(gguf) // 3)
        catalogue = _catalogue(tmp_path / "models.toml", server.url("tiny.gguf"))
        assert _cli(tmp_path, catalogue, "init", "--no-keyring").returncode == 0
        listed = _cli(tmp_path, catalogue, "model", "list")
        assert listed.returncode == 0, listed.stderr
        assert "Tiny Test Llama" in listed.stdout and "not downloaded" in listed.stdout
        assert server.url("tiny.gguf") in listed.stdout and "in use" in listed.stdout  # the default is in use
        assert not [r for r in server.requests if r[0] == "GET"], "listing must not download anything"

        early = _cli(tmp_path, catalogue, "model", "use", "tiny")
        assert early.returncode == 1 and "not downloaded" in early.stderr

        broken = _cli(tmp_path, catalogue, "model", "get", "tiny")
        assert broken.returncode == 1 and "resume" in broken.stderr
        assert "partly downloaded" in _cli(tmp_path, catalogue, "model", "list").stdout
        server.files["tiny.gguf"].cut_after = None
        got = _cli(tmp_path, catalogue, "model", "get", "tiny")
        assert got.returncode == 0, got.stderr
        assert (tmp_path / "models" / "tiny-test-llama.gguf").read_bytes() == gguf
        assert server.requests[-1][2] == f"bytes={len(gguf) // 3}-"

    used = _cli(tmp_path, catalogue, "model", "use", "tiny")
    assert used.returncode == 0, used.stderr
    settings = json.loads(_cli(tmp_path, catalogue, "settings", "--json").stdout)
    assert settings["model_path"] == str((tmp_path / "models" / "tiny-test-llama.gguf").resolve())
    assert "in use" in _cli(tmp_path, catalogue, "model", "list").stdout.split("Tiny Test Llama")[1].splitlines()[0]
    assert _cli(tmp_path, catalogue, "model", "use", "default").returncode == 0
    assert json.loads(_cli(tmp_path, catalogue, "settings", "--json").stdout)["model_path"] is None
    bogus = _cli(tmp_path, catalogue, "model", "use", "no-such-model")
    assert bogus.returncode == 1 and "catalogue id" in bogus.stderr

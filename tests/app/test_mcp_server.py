"""The MCP server, spawned over stdio and driven by the official SDK's client."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import pytest

from app.mcp_server import CairnTools
from core.errors import VaultLocked
from core.paths import VaultPaths
from core.types import Record
from tests.conftest import TEST_PASSPHRASE

REPO = Path(__file__).resolve().parents[2]
BASE = datetime(2024, 10, 12, 9, 0, tzinfo=UTC)


def make_vault(home: Path, *, mcp_enabled: bool) -> None:
    from core.vault import Vault

    vault = Vault.create(VaultPaths(home), TEST_PASSPHRASE, use_keyring=False, embedder=None)
    try:
        vault.ingest(
            [
                Record(source="chat:jsonl", external_id="m1", kind="message", timestamp=BASE,
                       text="The wifi password at the cabin is pinecone42.", conversation="cabin", speaker="Sam"),
                Record(source="chat:jsonl", external_id="m2", kind="message", timestamp=BASE + timedelta(minutes=1),
                       text="Bring boots, the trail is muddy.", conversation="cabin", speaker="Sam"),
            ],
            embed=False,
        )
        vault.update_settings(mcp_enabled=mcp_enabled)
    finally:
        vault.close()


def server_env(home: Path) -> dict[str, str]:
    return {
        "CAIRN_HOME": str(home), "CAIRN_PASSPHRASE": TEST_PASSPHRASE, "CAIRN_EMBEDDER": "none",
        "PYTHONPATH": str(REPO), "CAIRN_MODELS_DIR": os.environ["CAIRN_MODELS_DIR"],
    }


async def call_tools(home: Path) -> tuple[list[str], dict, dict]:
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(
        command=sys.executable, args=["-m", "app.mcp_server", "--no-model"], env=server_env(home), cwd=str(REPO)
    )
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        listed = await session.list_tools()
        search = await session.call_tool("search", {"query": "cabin wifi password", "k": 3})
        ask = await session.call_tool("ask", {"question": "What is the wifi password at the cabin?"})
    return [t.name for t in listed.tools], _payload(search), _payload(ask)


def _payload(result: object) -> dict:
    structured = getattr(result, "structured_content", None) or getattr(result, "structuredContent", None)
    if structured:
        return structured.get("result", structured)
    return json.loads(result.content[0].text)  # type: ignore[attr-defined]


def test_search_and_ask_over_stdio(tmp_path: Path) -> None:
    home = tmp_path / "home"
    make_vault(home, mcp_enabled=True)
    names, search, ask = anyio.run(call_tools, home)
    assert sorted(names) == ["ask", "search"]
    assert search["hits"][0]["external_id"] == "m1"
    assert "pinecone42" in ask["answer"] and ask["mode"] == "extractive"
    assert ask["citations"][0]["external_id"] == "m1"


def test_off_by_default_and_refuses_a_locked_vault(tmp_path: Path) -> None:
    import subprocess

    home = tmp_path / "home"
    make_vault(home, mcp_enabled=False)
    env = {**os.environ, **server_env(home)}
    off = subprocess.run([sys.executable, "-m", "app.mcp_server"], env=env, cwd=REPO, capture_output=True,
                         text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert off.returncode == 2 and "off" in off.stderr and off.stdout == ""
    env["CAIRN_PASSPHRASE"] = "wrong passphrase"
    wrong = subprocess.run([sys.executable, "-m", "app.mcp_server", "--force"], env=env, cwd=REPO,
                           capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert wrong.returncode == 2 and wrong.stdout == ""


def test_tools_stop_when_the_vault_is_locked_meanwhile(lexical_vault) -> None:  # type: ignore[no-untyped-def]
    locked = {"now": False}
    tools = CairnTools(lexical_vault, lambda: locked["now"])
    assert tools.search("anything")["hits"] == []
    locked["now"] = True
    with pytest.raises(VaultLocked):
        tools.search("anything")
    with pytest.raises(VaultLocked):
        tools.ask("what is anything?")


def test_the_vectors_load_while_the_client_connects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before any question, the server is already loading the embedder and the vectors (the first answer
    would otherwise pay for both, ~0.5 s at 1M)."""
    import time

    import app.mcp_server as server

    home = tmp_path / "home"
    make_vault(home, mcp_enabled=True)
    monkeypatch.setenv("CAIRN_PASSPHRASE", TEST_PASSPHRASE)
    seen: list[bool] = []

    class Connected:
        def __init__(self, tools: CairnTools) -> None:
            self.vault = tools._vault

        def run(self, transport: str) -> None:
            deadline = time.monotonic() + 60
            while self.vault.vectors.loader is None and time.monotonic() < deadline:
                time.sleep(0.05)
            seen.append(self.vault.vectors.loader is not None)

    monkeypatch.setattr(server, "build_server", Connected)
    server.serve(home, use_model=False)
    assert seen == [True]


def test_search_returns_its_hits_without_looking_outside_the_filters(
        lexical_vault, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """The tool returns the hits only: a filtered search without a good match runs no second, unfiltered search for
    the nearest match outside its filters (+20-30 ms at 1M), and its hits are the vault's."""
    from core.retrieve import elsewhere
    from core.retrieve.types import SearchRequest

    lexical_vault.ingest([Record(source="chat:jsonl", external_id=f"m{n}", kind="message", timestamp=BASE,
                                 text=text, conversation="cabin", speaker=speaker)
                          for n, (text, speaker) in enumerate([("The wifi password is pinecone42.", "Sam"),
                                                               ("Bring boots, the wifi trail is muddy.", "Kim")])],
                         embed=False)
    asked: list[str] = []
    real = elsewhere.with_nearest
    monkeypatch.setattr(elsewhere, "with_nearest",
                        lambda search, request, result: asked.append(request.query) or real(search, request, result))
    found = CairnTools(lexical_vault, lambda: False).search("wifi password", speaker="Kim")
    assert asked == [] and [h["external_id"] for h in found["hits"]] == ["m1"]
    lexical_vault.search(SearchRequest("wifi password", speakers=("Kim",)))  # the default search does look
    assert asked == ["wifi password"]

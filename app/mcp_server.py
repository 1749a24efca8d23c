"""An MCP server (stdio) exposing read-only ``search`` and ``ask`` over the user's vault.

Off by default: it runs only when ``settings.mcp_enabled`` is true (or the
caller passes ``force=True``, for tests).  It never writes to the vault.  The
vault's lock is respected: the server refuses to start when the vault cannot
be opened (locked, wrong or missing passphrase), and each call checks the
lock again, so ``cairn lock`` in another terminal cuts tools off at once.

Run: ``cairn mcp`` (wired by the CLI) or ``python -m app.mcp_server``.
stdout is the protocol channel: nothing else may print there.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.json_views import citation_json, range_json
from core import env as env_switch
from core.assistant import Assistant
from core.errors import CairnError, VaultLocked

if TYPE_CHECKING:
    from core.vault import Vault

SERVER_NAME = "cairn"


class McpDisabled(CairnError):
    """The MCP server is off in the settings."""


def _hit_json(hit: Any) -> dict[str, Any]:
    return {
        "item_id": int(hit.item_id),
        "external_id": hit.external_id,
        "source": hit.source,
        "conversation": hit.conversation,
        "speaker": hit.speaker,
        "timestamp": hit.timestamp.isoformat(),
        "score": round(float(hit.score), 6),
        "text": hit.snippet,
    }


def _parse_when(value: str | None, field: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CairnError(f"{field} must be an ISO-8601 date or time, got {value!r}") from exc
    return moment if moment.tzinfo else moment.astimezone()


class CairnTools:
    """The tools' logic, independent of the MCP SDK (so it can be tested directly).

    ``vault`` is an open ``core.vault.Vault``; ``is_locked`` says whether the
    user has locked it since; with ``use_model`` the language model loads on
    first use (else answers are extractive only).
    """

    def __init__(self, vault: Vault, is_locked: Callable[[], bool], use_model: bool = False) -> None:
        self._vault = vault
        self._is_locked = is_locked
        self._assistant = Assistant(vault, use_model=use_model)

    def _check(self) -> None:
        if self._is_locked() or self._vault.locked:
            raise VaultLocked("the Cairn vault is locked; unlock it to use these tools")

    def search(
        self,
        query: str,
        k: int = 10,
        since: str | None = None,
        until: str | None = None,
        source: str | None = None,
        speaker: str | None = None,
        conversation: str | None = None,
    ) -> dict[str, Any]:
        from core.retrieve.types import SearchRequest
        from core.types import TimeRange

        self._check()
        if not query.strip():
            raise CairnError("query is empty")
        start, end = _parse_when(since, "since"), _parse_when(until, "until")
        request = SearchRequest(
            query=query,
            k=max(1, min(int(k), 50)),
            time_range=TimeRange(start, end) if (start or end) else None,
            sources=(source,) if source else (),
            speakers=(speaker,) if speaker else (),
            conversations=(conversation,) if conversation else (),
        )
        # The tool returns the hits only: no second search for the nearest match outside the filters (+20-30 ms
        # at 1M on a filtered search without a good match, for nothing the client sees).
        result = self._vault.search(request, nearest=False)
        return {
            "query": result.query_text,
            "applied_range": range_json(result.applied_range),
            "range_phrase": result.range_phrase,
            "notes": list(result.notes),
            "hits": [_hit_json(h) for h in result.hits],
        }

    def ask(self, question: str, use_model: bool = True) -> dict[str, Any]:
        self._check()
        answerer = self._assistant.answerer()
        answer = answerer.answer(question, now=datetime.now(UTC).astimezone(), use_model=use_model)
        return {
            "answer": answer.text,
            "mode": answer.mode,
            "citations": [citation_json(c) for c in answer.citations],
            "best_matches": [citation_json(c) for c in answer.best_matches],
            "applied_range": range_json(answer.applied_range),
            "time_phrase": answer.understanding.time_phrase,
            "notes": list(answer.notes),
            "model": answer.model,
        }

    def close(self) -> None:
        self._assistant.close()


def build_server(tools: CairnTools) -> Any:
    """The MCP server object with the two read-only tools registered."""
    import anyio
    from mcp.server.mcpserver import MCPServer
    from mcp.types import ToolAnnotations

    server = MCPServer(
        SERVER_NAME,
        instructions=(
            "Search and ask the user's Cairn memory (their chats, files and screen history), read-only. "
            "Answers cite memories by number; 'not_found' means the memory has no answer."
        ),
    )
    read_only = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True)

    @server.tool(
        name="search",
        description=(
            "Search the user's memories. Time words in the query ('last week', 'in March') filter by time. "
            "Optional filters: since/until (ISO dates), source ('chat', 'chat:whatsapp', 'file', 'screen'), "
            "speaker, conversation. Returns hits with time, source, speaker and a text snippet."
        ),
        annotations=read_only,
    )
    async def search(
        query: str,
        k: int = 10,
        since: str | None = None,
        until: str | None = None,
        source: str | None = None,
        speaker: str | None = None,
        conversation: str | None = None,
    ) -> dict[str, Any]:
        return await anyio.to_thread.run_sync(
            lambda: tools.search(query, k, since, until, source, speaker, conversation)
        )

    @server.tool(
        name="ask",
        description=(
            "Ask a question about the user's past. Answers only from their memories, with numbered citations; "
            "mode is 'llm', 'extractive' (quoted) or 'not_found'."
        ),
        annotations=read_only,
    )
    async def ask(question: str, use_model: bool = True) -> dict[str, Any]:
        return await anyio.to_thread.run_sync(lambda: tools.ask(question, use_model))

    return server


def serve(home: Path | None = None, *, force: bool = False, use_model: bool = True) -> None:
    """Open the vault and serve MCP over stdio until the client disconnects.

    Raises ``McpDisabled`` when off in the settings (unless ``force``), and
    the vault's own errors (``VaultLocked``, ``WrongPassphrase``,
    ``VaultNotFound``) when it cannot be opened.
    """
    from core.paths import VaultPaths, default_home
    from core.vault import Vault, lock_flag

    paths = VaultPaths(home or default_home())
    vault = Vault.open(paths, env_switch.PASSPHRASE.get())
    tools: CairnTools | None = None
    loading: threading.Thread | None = None
    try:
        settings = vault.settings()
        if not (settings.mcp_enabled or force):
            raise McpDisabled(
                "the MCP server is off; enable it in the settings (mcp_enabled) to let other tools read your memory"
            )
        # The first question should not wait for the embedder and the index: both load while the client connects.
        loading = threading.Thread(target=_load_index, args=(vault,), name="cairn-mcp-index-load", daemon=True)
        loading.start()
        tools = CairnTools(vault, lambda: lock_flag(paths).exists(), use_model)
        build_server(tools).run("stdio")
    finally:
        if tools is not None:
            tools.close()
        if loading is not None:
            loading.join()  # a client gone at once: the load ends before the vault it reads closes
        vault.close()


def _load_index(vault: Vault) -> None:
    try:
        vault.start_index_load()
    except Exception as exc:  # the first search loads it again and reports what is wrong
        print(f"cairn mcp: the vector index did not load yet: {exc}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """``python -m app.mcp_server [--home DIR] [--force] [--no-model]``; errors go to stderr."""
    import argparse

    from core.process_env import disable_telemetry

    disable_telemetry()  # before any dependency is imported: nothing leaves the machine
    parser = argparse.ArgumentParser(prog="cairn-mcp", description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None, help="vault data directory (default: $CAIRN_HOME)")
    parser.add_argument("--force", action="store_true", help="serve even if mcp_enabled is off (testing)")
    parser.add_argument("--no-model", action="store_true", help="answer extractively, without the LLM")
    args = parser.parse_args(argv)
    try:
        serve(args.home, force=args.force, use_model=not args.no_model)
    except CairnError as exc:
        print(f"cairn mcp: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""``cairn search --json`` and ``--batch`` print the hits only, so they never run the second, unfiltered search for
the nearest match outside the filters (+20-30 ms at 1M); the human output, which shows that match, still does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.retrieve import elsewhere
from core.types import Record
from tests.conftest import TEST_PASSPHRASE
from tests.helpers import BASE_TIME


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from core.paths import VaultPaths
    from core.vault import Vault

    home = tmp_path / "home"
    vault = Vault.create(VaultPaths(home), TEST_PASSPHRASE, use_keyring=False, embedder=None)
    try:
        vault.ingest([Record(source="chat:jsonl", external_id="m1", kind="message", timestamp=BASE_TIME,
                             text="The wifi password at the cabin is pinecone42.", conversation="cabin", speaker="Sam"),
                      Record(source="chat:jsonl", external_id="m2", kind="message", timestamp=BASE_TIME,
                             text="Bring boots, the wifi trail is muddy.", conversation="cabin", speaker="Kim")],
                     embed=False)
    finally:
        vault.close()
    monkeypatch.setenv("CAIRN_PASSPHRASE", TEST_PASSPHRASE)
    monkeypatch.setenv("CAIRN_EMBEDDER", "none")
    return home


def _asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The filtered searches that went on to look outside their filters."""
    asked: list[str] = []
    real = elsewhere.with_nearest

    def spy(search, request, result):  # type: ignore[no-untyped-def]
        asked.append(request.query)
        return real(search, request, result)

    monkeypatch.setattr(elsewhere, "with_nearest", spy)
    return asked


def test_json_and_batch_print_the_hits_without_looking_outside_the_filters(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from app.commands.search_cmd import search

    asked = _asked(monkeypatch)
    search("wifi password", speaker=["Kim"], as_json=True, home=home)
    assert [json.loads(line)["external_id"] for line in capsys.readouterr().out.splitlines()] == ["m2"]
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"query": "wifi password", "speaker": "Kim"}\n', encoding="utf-8")
    search(batch=queries, home=home)
    assert [h["external_id"] for h in json.loads(capsys.readouterr().out)["results"]] == ["m2"]
    assert asked == []
    search("wifi password", speaker=["Kim"], home=home)  # people are shown the nearest match elsewhere
    assert asked == ["wifi password"]

"""No secret is stored anywhere: each secret kind through every field of every importer, the file indexer and the
screen path, then every table of the decrypted vault (FTS shadow tables included) is scanned for it.

Chat records come from each format's real sample export, read by its real reader; each record is then given a
secret in one field (text, speaker, conversation, title, external id, each meta string, a new meta string) before
it goes through ``Vault.ingest``, the one path every importer takes.  Files go through the real indexer (HTML
title, Markdown heading, body, file names, folder names); screen frames through the real frame sink (window title, app, URL, OCR words).
Consolidation then builds episodes, summaries, facts and the graph from what was stored.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.redact.redactor import Redactor
from core.types import Record
from tests.capture.chats.builders import FORMATS, read_all, records, sample_paths

SECRETS = {
    "card": "4539 1488 0343 6467",
    "aws_key": "AKIAZ3MQ7RVX4TPLQ2HD",
    "github_token": "ghp_Zk3L9qW2xR7vT5nB8mJ4cF6hD1sA0yE2uI9o",
    "slack_token": "xoxb-2741938162-5928374651-QmZ8kP3vT7rW1nX4bY6cJ2dH",
    "password": "password = Tr0ub4dor-Wq8xZ",
    "private_key": ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAzq7Lw4VbG2hTt9Y3pXe8Jk1Rf6sQm0DnUa5cHv2WlZyPxKoB"
                    "\n-----END RSA PRIVATE KEY-----"),
}
DISTINCT = re.compile(r"[A-Za-z0-9]{7,}")  # what a full-text token of the secret would look like


def _needles() -> dict[str, list[str]]:
    needles = {}
    for kind, secret in SECRETS.items():
        parts = {secret, secret.replace(" ", "")}
        body = secret.split("=", 1)[-1].strip() if kind == "password" else secret
        parts |= {m for m in DISTINCT.findall(body) if not m.isalpha() or kind == "private_key"}
        parts -= {"PRIVATE", "password"}
        if kind == "private_key":
            parts |= {"END RSA PRIVATE KEY", "PRIVATE KEY-----"}
        needles[kind] = sorted(parts | {p.lower() for p in parts})
    return needles


def _chat_records(tmp: Path) -> list[Record]:
    from core.capture.chats.formats import load_reader

    out: list[Record] = []
    done: set[str] = set()
    for fmt, path in sample_paths(tmp):
        if fmt in done:
            continue
        done.add(fmt)
        base = records(read_all(load_reader(fmt), path))
        assert base, fmt
        out += _with_secrets(base)
    assert done == set(FORMATS)
    return out


def _with_secrets(base: list[Record]) -> list[Record]:
    """One record per (secret kind, field) for every field the format's records have."""
    meta_keys = sorted({k for r in base for k, v in r.meta.items() if isinstance(v, str)})
    fields = ["text", "speaker", "conversation", "title", "external_id", "meta:+", *(f"meta:{k}" for k in meta_keys)]
    out = []
    pool = itertools.cycle(base)
    for n, (kind, field) in enumerate(itertools.product(SECRETS, fields)):
        record = next(pool)
        if field.startswith("meta:") and field != "meta:+" and not isinstance(record.meta.get(field[5:]), str):
            record = next(r for r in base if isinstance(r.meta.get(field[5:]), str))
        out.append(_plant(record, field, SECRETS[kind], n))
    return out


def _plant(record: Record, field: str, secret: str, n: int) -> Record:
    record = dataclasses.replace(record, external_id=f"{record.external_id}-p{n}")
    if field.startswith("meta:"):
        key = "note" if field == "meta:+" else field[5:]
        return dataclasses.replace(record, meta={**record.meta, key: f"{record.meta.get(key, '')} {secret}"})
    value = getattr(record, field) or ""
    return dataclasses.replace(record, **{field: f"{value} {secret} tail", "sections": ()})


def _frames() -> list[Any]:
    from core.capture.screen.frames import FinishedFrame
    from core.normalize.ocr import OcrWord

    out = []
    for n, secret in enumerate(SECRETS.values()):
        words = [OcrWord(w, 10 * i, 10, 9, 9, 90.0) for i, w in enumerate(f"note {secret} end".split())]
        out.append(FinishedFrame(
            frame_id=f"frame-{n}", timestamp=datetime(2024, 5, 1, 12, n, tzinfo=UTC), monitor=0,
            image=b"RIFF-not-really", image_lossless=False, thumbnail=b"thumb", width=100, height=20,
            text="plain frame text about gardening", words=words, app=f"term {secret}",
            window_title=f"editor — {secret}", url=f"https://example.org/?key={secret}",
            ocr_regions=(), redactions=0))
    return out


def _write_documents(folder: Path) -> None:
    for n, secret in enumerate(SECRETS.values()):
        (folder / f"page{n}.html").write_text(
            f"<html><head><title>Invoice {secret}</title></head><body><p>Gardening notes.</p>"
            f"<p>ref {secret}</p></body></html>")
        (folder / f"notes{n}.md").write_text(f"# Heading {secret}\n\nThe body mentions {secret} once.\n")
        # The secret in a folder's name and in a file's name (the keys the indexer finds its rows by).
        box = folder / f"box {secret}"
        box.mkdir()
        (box / f"{secret} list{n}.md").write_text(f"# Shopping {n}\n\nApples and pears.\n")


def _scan(vault: Any, needles: dict[str, list[str]]) -> list[str]:
    conn = vault.read()
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    hits = []
    for table in tables:
        for row in conn.execute(f'SELECT * FROM "{table}"'):
            for cell in row:
                if isinstance(cell, str):
                    blob = cell.encode("utf-8", "surrogatepass")
                elif isinstance(cell, bytes | memoryview):
                    blob = bytes(cell)
                else:
                    continue
                hits += [f"{kind} ({needle!r}) in {table}" for kind, found in needles.items()
                         for needle in found if needle.encode() in blob]
    return sorted(set(hits))


def test_no_secret_in_any_table(lexical_vault: Any, tmp_path: Path) -> None:
    from core.capture.files.service import index_path
    from core.capture.screen.sink import VaultFrameSink

    redactor = Redactor.from_default_rules()
    for kind, secret in SECRETS.items():
        assert redactor.redact(secret).findings, f"the rules no longer see the {kind} sample"
    needles = _needles()
    report = lexical_vault.ingest(_chat_records(tmp_path), embed=False)
    assert not report.failed and report.imported > 300
    docs = tmp_path / "docs"
    docs.mkdir()
    _write_documents(docs)
    index_path(lexical_vault, docs, embed=False)
    sink = VaultFrameSink(lexical_vault)
    for frame in _frames():
        sink.store(frame)
    lexical_vault.consolidate()
    counts = dict(lexical_vault.read().execute("SELECT source, count(*) FROM items GROUP BY source").fetchall())
    assert counts.get("file", 0) == 3 * len(SECRETS) and counts.get("screen", 0) == len(SECRETS), counts
    hits = _scan(lexical_vault, needles)
    assert hits == [], "\n".join(hits)


def test_the_scan_finds_a_secret_stored_unredacted(lexical_vault: Any) -> None:
    """The check can fail: a secret written straight into the database is found, in the FTS shadow tables too."""
    from core.store.items import upsert_item

    record = Record(source="chat:test", external_id="raw", kind="message",
                    timestamp=datetime(2024, 1, 1, tzinfo=UTC), text=f"raw {SECRETS['aws_key']}")
    from core.normalize.chunking import Chunk

    lexical_vault.write(lambda conn: upsert_item(conn, record, record.text, [Chunk(record.text, 0)], {}))
    hits = _scan(lexical_vault, _needles())
    assert any("chunks_fts_data" in h for h in hits) and any(" in items" in h for h in hits), hits


def test_a_file_moved_to_a_name_with_a_secret_keeps_it_out_of_every_table(
        lexical_vault: Any, tmp_path: Path) -> None:
    from core.capture.files.report import ScanReport
    from core.capture.files.service import index_path, make_indexer

    docs = tmp_path / "docs"
    docs.mkdir()
    old = docs / "notes.md"
    old.write_text("# Plans\n\nThe heron count is on Sunday.\n")
    index_path(lexical_vault, docs, embed=False)
    new = docs / f"key {SECRETS['aws_key']}.md"
    old.rename(new)
    with make_indexer(lexical_vault, embed=False) as indexer:
        indexer.process_move(docs, old, docs, new, ScanReport())
    row = lexical_vault.read().execute("SELECT title, meta FROM items WHERE text LIKE '%heron%'").fetchone()
    assert row is not None and "REDACTED" in row[0]
    assert _scan(lexical_vault, _needles()) == []
    assert SECRETS["aws_key"] not in row[0] + row[1]

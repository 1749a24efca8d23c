"""Hostile and broken inputs, across formats: wrong format, zip bombs, traversal."""

from __future__ import annotations

import shutil
import struct
import zipfile
from pathlib import Path

import pytest

from core.capture.chats.formats import detect_format, load_reader
from core.errors import ImportFailed

from .builders import DATA, errors, read_all, records, sample_paths, zip_dir

ONE_SAMPLE = {
    "whatsapp": DATA / "whatsapp" / "WhatsApp Chat with Priya Shah.txt",
    "telegram": DATA / "telegram" / "result_full_account.json",
    "slack": DATA / "slack" / "acme-export",
    "discord": next((DATA / "discord").glob("Indie*.json")),
    "chatgpt": DATA / "chatgpt" / "export" / "conversations.json",
    "messenger": DATA / "messenger" / "facebook-mira",
}
READERS = ("whatsapp", "telegram", "slack", "discord", "chatgpt", "messenger", "imessage")


@pytest.mark.parametrize(
    ("reader_name", "sample_format"),
    [(r, s) for r in READERS for s in sorted(ONE_SAMPLE) if r != s],
)
def test_a_file_of_one_format_given_as_another(reader_name: str, sample_format: str) -> None:
    reader = load_reader(reader_name)
    with pytest.raises(ImportFailed) as info:
        read_all(reader, ONE_SAMPLE[sample_format])
    assert ONE_SAMPLE[sample_format].name in str(info.value) or "not" in str(info.value)


def test_chat_db_given_as_whatsapp(tmp_path: Path) -> None:
    chat_db = next(p for fmt, p in sample_paths(tmp_path) if fmt == "imessage")
    with pytest.raises(ImportFailed, match="not a WhatsApp export"):
        read_all(load_reader("whatsapp"), chat_db)


def test_missing_path() -> None:
    for name in READERS:
        with pytest.raises(ImportFailed):
            read_all(load_reader(name), Path("/nonexistent/export.json"))


def _add_entries(archive: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(archive, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return archive


def _patch_declared_size(archive: Path, name: str, size: int) -> None:
    """Make ``name``'s headers declare ``size`` uncompressed bytes (a lying zip)."""
    data = bytearray(archive.read_bytes())
    encoded = name.encode()
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) >= 0:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46 : pos + 46 + name_len]) == encoded:
            struct.pack_into("<I", data, pos + 24, size)
            local = struct.unpack_from("<I", data, pos + 42)[0]
            struct.pack_into("<I", data, local + 22, size)
        pos += 4
    archive.write_bytes(bytes(data))


def test_zip_entries_with_traversal_are_refused_and_reported(tmp_path: Path) -> None:
    archive = zip_dir(DATA / "slack" / "acme-export", tmp_path / "slack.zip")
    _add_entries(archive, {
        "../../.bashrc": b"echo pwned",
        "/etc/cron.d/evil": b"* * * * * root rm -rf /",
        "general/../../escape.json": b"[]",
    })
    assert detect_format(archive).name == "slack"
    results = read_all(load_reader("slack"), archive)
    refused = [e for e in errors(results) if "refused" in e.reason]
    assert sorted(e.where.split("!", 1)[1] for e in refused) == [
        "../../.bashrc", "/etc/cron.d/evil", "general/../../escape.json",
    ]
    assert len(records(results)) == 10  # the rest of the export is imported


def test_zip_bomb_entry_is_refused_and_the_rest_imported(tmp_path: Path) -> None:
    archive = zip_dir(DATA / "whatsapp" / "WhatsApp Chat - Wandergruppe", tmp_path / "WhatsApp Chat - Bomb.zip")
    _add_entries(archive, {"00000099-VIDEO.mp4": b"\0" * (40 * 1024 * 1024)})  # ~40 KB compressed
    assert archive.stat().st_size < 200_000
    assert detect_format(archive).name == "whatsapp"
    results = read_all(load_reader("whatsapp"), archive, timezone="UTC")
    (bomb,) = [e for e in errors(results) if "00000099-VIDEO.mp4" in e.where]
    assert "zip bomb" in bomb.reason
    assert len(records(results)) == 7  # every message of the chat


def test_zip_entry_lying_about_its_size(tmp_path: Path) -> None:
    archive = zip_dir(DATA / "slack" / "acme-export", tmp_path / "slack.zip")
    big_day = b"[" + b", ".join([b'{"type": "message", "user": "U01AAAA1", "text": "spam", "ts": "1701900000.000001"}'] * 50_000) + b"]"
    _add_entries(archive, {"general/2023-12-07.json": big_day})
    _patch_declared_size(archive, "general/2023-12-07.json", 1000)
    results = read_all(load_reader("slack"), archive)
    bad = [e for e in errors(results) if "2023-12-07" in e.where]
    assert len(bad) == 1, bad
    assert "CRC" in bad[0].reason or "larger than it declares" in bad[0].reason or "ends early" in bad[0].reason
    assert len(records(results)) == 10  # nothing from the lying entry is trusted beyond its declared size


def test_whole_archive_bomb_fails_clearly(tmp_path: Path) -> None:
    archive = zip_dir(DATA / "chatgpt" / "export", tmp_path / "chatgpt.zip")
    _patch_declared_size(archive, "chat.html", 3_000_000_000)
    with pytest.raises(ImportFailed, match="zip bomb"):
        read_all(load_reader("chatgpt"), archive)


def test_corrupt_zip(tmp_path: Path) -> None:
    archive = zip_dir(DATA / "slack" / "acme-export", tmp_path / "slack.zip")
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])  # the central directory is gone
    with pytest.raises(ImportFailed):
        read_all(load_reader("slack"), archive)


def test_duplicate_ids_across_two_exports_of_the_same_chat(tmp_path: Path) -> None:
    """Two exports of the same chats yield the same external ids (the vault then dedupes)."""
    for fmt, path in sample_paths(tmp_path):
        copy = tmp_path / "second" / fmt / path.parent.name / path.name  # same names, another place
        copy.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            shutil.copytree(path, copy)
        else:
            shutil.copy2(path, copy)
        reader = load_reader(fmt)
        first = [(r.conversation, r.external_id) for r in records(read_all(reader, path, timezone="UTC"))]
        second = [(r.conversation, r.external_id) for r in records(read_all(reader, copy, timezone="UTC"))]
        assert first == second, path
        assert len(set(first)) == len(first), f"{path}: ids repeat within one export"

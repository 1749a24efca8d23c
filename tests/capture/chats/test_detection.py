"""Format detection: every sample is recognised as exactly its own format."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from core.capture.chats.formats import available_readers, detect_format, load_reader
from core.errors import UnknownFormat

from .builders import sample_paths


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, Path]]:
    return sample_paths(tmp_path_factory.mktemp("samples"))


def test_every_sample_is_detected_as_its_own_format(samples: list[tuple[str, Path]]) -> None:
    assert {fmt for fmt, _ in samples} == {
        "whatsapp", "telegram", "slack", "discord", "chatgpt", "messenger", "imessage",
    }
    wrong = [(p.name, fmt, detect_format(p).name) for fmt, p in samples if detect_format(p).name != fmt]
    assert wrong == []


def test_no_other_reader_accepts_a_sample(samples: list[tuple[str, Path]]) -> None:
    readers = list(available_readers())
    assert len(readers) >= 7
    for fmt, path in samples:
        accepted = [r.name for r in readers if r.sniff(path)]
        assert accepted == [fmt], f"{path}: accepted by {accepted}"


def test_readers_declare_name_and_description() -> None:
    for name in ("whatsapp", "telegram", "slack", "discord", "chatgpt", "messenger", "imessage"):
        reader = load_reader(name)
        assert reader.name == name
        assert reader.description


def _unrelated_files(tmp: Path) -> list[Path]:
    note = tmp / "notes.txt"
    note.write_text("Shopping list\n- milk\n- 12/31/23 is new year's eve\n", encoding="utf-8")
    config = tmp / "settings.json"
    config.write_text(json.dumps({"theme": "dark", "messages": [], "name": "x"}), encoding="utf-8")
    table = tmp / "data.csv"
    table.write_text("date,amount\n2023-12-31,12.50\n", encoding="utf-8")
    empty_zip = tmp / "photos.zip"
    with zipfile.ZipFile(empty_zip, "w") as zf:
        zf.writestr("IMG_0001.jpg", b"\xff\xd8\xff\xd9")
        zf.writestr("readme.txt", "holiday photos")
    other_db = tmp / "places.sqlite"
    conn = sqlite3.connect(other_db)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.commit()
    conn.close()
    folder = tmp / "folder"
    folder.mkdir()
    (folder / "a.txt").write_text("hello", encoding="utf-8")
    return [note, config, table, empty_zip, other_db, folder]


def test_unrelated_files_are_not_detected(tmp_path: Path) -> None:
    for path in _unrelated_files(tmp_path):
        with pytest.raises(UnknownFormat):
            detect_format(path)

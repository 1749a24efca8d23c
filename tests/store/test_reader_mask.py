"""A reader's id mask from RAM in SQL (``ReaderConnection.masked``): it keeps exactly the ids set, only inside its
block (outside, nothing passes: a statement never falls back to every row), nested blocks restore the outer one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from core.store.database import Database


@pytest.fixture()
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(tmp_path / "vault.db", os.urandom(32))

    def fill(conn: object) -> None:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")  # type: ignore[attr-defined]
        conn.executemany("INSERT INTO t (id) VALUES (?)", ((i,) for i in range(1, 41)))  # type: ignore[attr-defined]

    db.write(fill)
    yield db
    db.close()


def _kept(reader: object, function: str = "in_mask") -> list[int]:
    return [r[0] for r in reader.execute(f"SELECT id FROM t WHERE {function}(id) ORDER BY id")]  # type: ignore[attr-defined]


def test_the_mask_keeps_exactly_its_ids_and_only_inside_its_block(database: Database) -> None:
    reader = database.reader()
    mask = np.zeros(30, dtype=bool)  # ids 30-40 lie past its end
    mask[[1, 7, 29]] = True
    with reader.masked(mask) as function:
        assert _kept(reader, function) == [1, 7, 29]
        inner = np.ones(41, dtype=bool)
        with reader.masked(inner):
            assert _kept(reader) == list(range(1, 41))
        assert _kept(reader) == [1, 7, 29]
    assert _kept(reader) == []

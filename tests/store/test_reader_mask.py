"""A reader's id mask from RAM in SQL (``ReaderConnection.masked``): it keeps exactly the ids set, only inside its
block (outside, nothing passes: a statement never falls back to every row), nested blocks restore the outer one."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
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


def _kept(reader: object, test: Callable[[str], str]) -> list[int]:
    return [r[0] for r in reader.execute(f"SELECT id FROM t WHERE {test('id')} ORDER BY id")]  # type: ignore[attr-defined]


def test_the_mask_keeps_exactly_its_ids_and_only_inside_its_block(database: Database) -> None:
    reader = database.reader()
    mask = np.zeros(30, dtype=bool)  # ids 30-40 lie past its end
    mask[[1, 7, 29]] = True
    with reader.masked(mask) as test:
        assert _kept(reader, test) == [1, 7, 29]
        with reader.masked(np.ones(41, dtype=bool)) as inner:
            assert _kept(reader, inner) == list(range(1, 41))
        assert _kept(reader, test) == [1, 7, 29]  # the outer mask again
        assert [r[0] for r in reader.execute(f"SELECT {test('-1')}, {test('1')}")] == [0]
    with pytest.raises(Exception, match="user-defined function raised exception"):  # nothing held: no row kept
        _kept(reader, test)

"""Seeding a vault with marker strings and scanning a sync target's bytes for them."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from core.memory.knowledge import facts
from core.memory.knowledge.entities import self_entity
from core.types import Record
from core.vault import Vault
from tests.memory.helpers import at

MARKERS = ("ZEBRAFINCH-7731-MARKER", "Quokkalicious Title", "Wrenfield Avenue 221b", "Speakerella Marksworth",
           "Convo-Nightjar")
VECTOR = np.linspace(-0.9, 0.9, 384).astype(np.float32)
PIXELS = b"PIXELMARKER-" * 64


def seed(vault: Vault) -> None:
    """Markers in text, title, speaker, conversation, a screenshot, a user fact and a stored vector."""
    vault.ingest([
        Record(source="chat:jsonl", external_id="m1", kind="message", timestamp=at(0),
               text="the ZEBRAFINCH-7731-MARKER flew over", conversation="Convo-Nightjar", speaker="Speakerella Marksworth"),
        Record(source="file", external_id="/notes/a.md", kind="document", timestamp=at(1), title="Quokkalicious Title",
               text="# notes\n\nsee the quokka at the zoo"),
    ], embed=False)
    shot = vault.ingest([Record(source="screen", external_id="f1", kind="screen", timestamp=at(2), text="screen")],
                        embed=False)
    vault.put_media(PIXELS, "screenshot", shot.item_ids[0])
    vault.write(lambda c: facts.set_fact(c, self_entity(c, ("Ana Lima",)), "address", "Wrenfield Avenue 221b"))
    vault.write(lambda c: c.execute(
        "INSERT INTO embeddings (text_hash, model, dim, vector) VALUES ('x', 'test-model', 384, ?)",
        (VECTOR.astype(np.float16).tobytes(),)))


def needles() -> dict[str, bytes]:
    found = {m: m.encode() for m in MARKERS}
    found.update({m + " (utf-16)": m.encode("utf-16-le") for m in MARKERS})
    found.update({m + " (lower)": m.lower().encode() for m in MARKERS})
    found["pixels"] = PIXELS[:24]
    found["vector f32"] = VECTOR[10:18].tobytes()
    found["vector f16"] = VECTOR.astype(np.float16)[10:26].tobytes()
    return found


def scan(blobs: Iterable[tuple[str, bytes]]) -> list[str]:
    """Which needles appear in which object (empty when the target holds only ciphertext)."""
    wanted = needles()
    return [f"{what} in {name}" for name, blob in blobs for what, needle in wanted.items() if needle in blob]


def target_blobs(target: object) -> list[tuple[str, bytes]]:
    """Every object on a target (its fsspec filesystem walked from the root)."""
    fs, root = target.fs, target.root  # type: ignore[attr-defined]
    out = []
    for path in fs.find(root or "/"):
        out.append((str(path), bytes(fs.cat_file(path))))
    return out

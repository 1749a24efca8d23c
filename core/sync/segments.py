"""A change segment: one device's numbered batch of operations, compressed, padded and sealed.

Plaintext: zlib-compressed JSON ``{"v": 1, "device", "seq", "hlc", "ops": [...]}``.
The object name is a keyed hash of ``device|seq`` under the sealing epoch's key
(``sealing.object_name``), and decoding checks that the name matches the
content, so a segment copied under another name, replayed in place of another
one or sealed for another vault is rejected (``SealError``).
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from typing import Any

from core.sync import sealing
from core.sync.membership import KeyRing

FOLDER = "segments"
VERSION = 1


@dataclass(frozen=True, slots=True)
class Segment:
    device: str
    seq: int
    hlc: str
    ops: list[dict[str, Any]]


def segment_name(ring: KeyRing, device: str, seq: int, epoch: int | None = None) -> str:
    key = ring.keys[epoch if epoch is not None else ring.epoch]
    return f"{FOLDER}/{sealing.object_name(key, 'segment', f'{device}|{seq}'.encode())}"


def encode(ring: KeyRing, segment: Segment) -> tuple[str, bytes]:
    name = segment_name(ring, segment.device, segment.seq)
    body = json.dumps({"v": VERSION, "device": segment.device, "seq": segment.seq, "hlc": segment.hlc,
                       "ops": segment.ops}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return name, sealing.seal(ring.epoch, ring.current, ring.vault_id, "segment", name, zlib.compress(body, 6))


def decode(ring: KeyRing, name: str, blob: bytes) -> Segment:
    epoch = sealing.sealed_epoch(blob)
    if epoch not in ring.keys:
        raise sealing.SealError(f"sealed under key epoch {epoch}, which this device does not hold")
    plain = sealing.open_sealed(ring.keys[epoch], ring.vault_id, "segment", name, blob)
    try:
        body = json.loads(zlib.decompress(plain))
    except (zlib.error, ValueError) as exc:
        raise sealing.SealError(f"undecodable segment ({exc})") from exc
    if body.get("v") != VERSION:
        raise sealing.SealError(f"segment format {body.get('v')!r} is newer than this Cairn")
    segment = Segment(str(body["device"]), int(body["seq"]), str(body["hlc"]), list(body["ops"]))
    if segment_name(ring, segment.device, segment.seq, epoch) != name:
        raise sealing.SealError(f"replayed or moved: its content is segment {segment.seq} of another name")
    return segment

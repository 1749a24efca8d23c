"""Sizes that say little: Padmé padding (Nikitin et al., 2019) over a floor of 4 KiB.

A padded length leaks O(log log L) bits of the true length and costs at most
12 % overhead; every object Cairn puts on a sync target is padded this way, so
the target sees size buckets, never exact lengths.
"""

from __future__ import annotations

import struct

MIN_BUCKET = 4096
_LEN = struct.Struct(">Q")


def padme(length: int) -> int:
    """The Padmé bucket for ``length`` (at least ``MIN_BUCKET``)."""
    if length <= MIN_BUCKET:
        return MIN_BUCKET
    e = length.bit_length() - 1
    s = e.bit_length()
    mask = (1 << (e - s)) - 1
    return (length + mask) & ~mask


def pad(data: bytes) -> bytes:
    """``data`` with its length in front, zero-filled to its bucket."""
    body = _LEN.pack(len(data)) + data
    return body + bytes(padme(len(body)) - len(body))


def unpad(padded: bytes) -> bytes:
    """The inverse of ``pad``; ``ValueError`` when the length prefix does not fit."""
    if len(padded) < _LEN.size:
        raise ValueError("padded data too short")
    (length,) = _LEN.unpack_from(padded)
    if length > len(padded) - _LEN.size:
        raise ValueError("padded data is truncated")
    return padded[_LEN.size : _LEN.size + length]

"""Hybrid logical clocks: a total order of changes across devices that respects causality.

A stamp is ``(wall milliseconds, counter, device id)`` rendered as a string
that sorts like the tuple, so the store can compare stamps with ``>``.  Ties
on time are broken by the counter, then by the device id: two devices never
disagree on which of two changes is the later one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

ZERO = "0000000000000-000000-"


def stamp(wall_ms: int, counter: int, device: str) -> str:
    return f"{wall_ms:013d}-{counter:06d}-{device}"


def parse(value: str) -> tuple[int, int, str]:
    wall, counter, device = value.split("-", 2)
    return int(wall), int(counter), device


@dataclass(slots=True)
class Clock:
    """One device's clock; not thread-safe (the sync engine owns it on one thread)."""

    device: str
    wall_ms: int = 0
    counter: int = 0

    @classmethod
    def restore(cls, device: str, last: str | None) -> Clock:
        if not last:
            return cls(device)
        wall, counter, _ = parse(last)
        return cls(device, wall, counter)

    def now(self) -> str:
        """A stamp later than every stamp this clock has issued or seen."""
        physical = int(time.time() * 1000)
        if physical > self.wall_ms:
            self.wall_ms, self.counter = physical, 0
        else:
            self.counter += 1
        return stamp(self.wall_ms, self.counter, self.device)

    def observe(self, remote: str) -> None:
        """Move past a stamp received from another device."""
        wall, counter, _ = parse(remote)
        if (wall, counter) > (self.wall_ms, self.counter):
            self.wall_ms, self.counter = wall, counter

    @property
    def last(self) -> str:
        return stamp(self.wall_ms, self.counter, self.device)

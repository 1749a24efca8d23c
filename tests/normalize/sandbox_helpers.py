"""Misbehaving "extractors" the sandbox tests force onto a worker (``target=``).

They run inside the worker process only; each stands for a class of hostile
file: one that loops forever, one that allocates without bound, one that
crashes the interpreter, one that tries to write plaintext to disk.
"""

from __future__ import annotations

import os
import signal
import time

from core.normalize.extract.base import Extraction, ExtractLimits
from core.types import Section


def sleep_forever(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    while True:
        time.sleep(1)


def allocate_forever(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    hoard = []
    while True:
        hoard.append(bytearray(64 * 1024 * 1024))


def segfault(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    os.kill(os.getpid(), signal.SIGSEGV)
    time.sleep(5)
    raise AssertionError("unreachable")


def write_file(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    """Try to write ``data`` to the path given as ``name``; report what happened."""
    try:
        with open(name, "wb") as fh:
            fh.write(data)
            fh.flush()
        outcome = "written"
    except OSError as exc:
        outcome = f"refused: {exc.strerror}"
    return Extraction(sections=(Section(outcome),), mime="text/plain")


def echo_pid(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    return Extraction(sections=(Section(str(os.getpid())),), mime="text/plain", meta={"name": name})


def show_environment(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    """The worker's environment variables, one ``NAME=value`` a line."""
    text = "\n".join(f"{key}={value}" for key, value in sorted(os.environ.items()))
    return Extraction(sections=(Section(text),), mime="text/plain")

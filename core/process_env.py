"""The environment of Cairn's processes: dependencies' telemetry off, and an allow-list for every child.

Nothing leaves the machine: onnxruntime (the embedder) and other libraries
phone home unless told not to, and they read their switch when they are
first imported, so every entry point calls ``disable_telemetry()`` before it
imports them (and the embedder once more just before it loads onnxruntime).

Children (the extraction sandbox that parses hostile files, tesseract,
xdotool) get ``child_env()``: only the variables a program needs to run and
draw, never ``CAIRN_PASSPHRASE``, keyring or D-Bus addresses, agent sockets
or anything else the user's shell happens to hold.

Pure functions over ``os.environ``; ``disable_telemetry`` writes it (only
variables the user has not set).  Raises nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

# Each library's own "do not phone home" switch.  onnxruntime: its 1DS telemetry (device id, queued
# events under ~/.cache/Microsoft, DNS lookups of the collector).  The rest: the common conventions,
# for any library that honours them.
TELEMETRY_OFF: Mapping[str, str] = {
    "ORT_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
    "DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
}

# What a child may inherit: finding programs and libraries, language and time zone, where to draw
# (xdotool), where tesseract's data is, thread limits, the (test-isolated) home folders.
CHILD_ALLOWED = frozenset({
    "PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP",
    "LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH", "PYTHONPATH", "PYTHONHOME",
    "SYSTEMROOT", "WINDIR", "COMSPEC", "PATHEXT",
    "DISPLAY", "XAUTHORITY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR",
    "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME",
    "TESSDATA_PREFIX", "OMP_THREAD_LIMIT", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MALLOC_ARENA_MAX",
})
CHILD_ALLOWED_PREFIXES = ("LC_",)


def disable_telemetry() -> None:
    """Turn every known dependency's telemetry off in this process (and so in what it spawns)."""
    for name, value in TELEMETRY_OFF.items():
        os.environ.setdefault(name, value)


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a child process: the allow-listed variables, telemetry off, then ``extra``."""
    env = {name: value for name, value in os.environ.items()
           if name in CHILD_ALLOWED or name.startswith(CHILD_ALLOWED_PREFIXES)}
    env.update(TELEMETRY_OFF)
    env.update(extra or {})
    return env

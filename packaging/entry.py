"""The bundle's one entry point: ``cairn`` runs the command line, ``cairn-app`` (a link to it) the desktop app.

One executable for both halves the build and the bundle: PyInstaller analyses
the imports once, and the launcher name picks the program at start.  A frozen
``sys.executable`` is this program, not a Python: ``cairn -B -c CODE ARGS…``
therefore runs CODE as ``python -c`` would, because the extraction sandbox
(core/normalize/sandbox.py) starts its worker processes that way.
"""

from __future__ import annotations

import sys
from pathlib import Path

PYTHON_FLAGS = ("-B", "-E", "-I", "-s", "-S", "-u")


def run_python_c(args: list[str]) -> int:
    """``python [flags] -c CODE ARGS…`` inside the bundle (flags are accepted and ignored)."""
    code = args[1]
    sys.argv = ["-c", *args[2:]]
    exec(compile(code, "<string>", "exec"), {"__name__": "__main__", "__builtins__": __builtins__})
    return 0


def run() -> int:
    args = sys.argv[1:]
    while args and args[0] in PYTHON_FLAGS:
        args = args[1:]
    if args[:1] == ["-c"] and len(args) >= 2:
        return run_python_c(args)
    if Path(sys.argv[0]).name.startswith("cairn-app"):
        from app.main import main as app_main

        return app_main()
    from app.cli import main as cli_main

    cli_main()
    return 0


if __name__ == "__main__":
    sys.exit(run())

"""The bundle's one entry point: ``cairn`` runs the command line, ``cairn-app`` (a link to it) the desktop app.

One executable for both halves the build and the bundle: PyInstaller analyses
the imports once, and the launcher name picks the program at start.
"""

from __future__ import annotations

import sys
from pathlib import Path


def run() -> int:
    if Path(sys.argv[0]).name.startswith("cairn-app"):
        from app.main import main as app_main

        return app_main()
    from app.cli import main as cli_main

    cli_main()
    return 0


if __name__ == "__main__":
    sys.exit(run())

"""The desktop app's entry point for platforms without launcher links (Windows, the macOS .app bundle)."""

from __future__ import annotations

import sys

if __name__ == "__main__":
    from app.main import main

    sys.exit(main())

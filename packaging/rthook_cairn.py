"""PyInstaller runtime hook: point Tesseract at the bundle's eng.traineddata unless the user chose another."""

import os
import sys
from pathlib import Path

_tessdata = Path(getattr(sys, "_MEIPASS", "")) / "tessdata"
if _tessdata.is_dir():
    os.environ.setdefault("TESSDATA_PREFIX", str(_tessdata))

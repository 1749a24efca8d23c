"""Word 97–2003 ``.doc`` and PowerPoint 97–2003 ``.ppt`` through Debian's ``catdoc``/``catppt``.

The file's bytes go to the tool on standard input and its text comes back on
standard output: nothing is written to disk.  The tool runs with a time limit
inside the extraction sandbox.  Without the tool (not a Debian/Ubuntu machine,
or the package not installed) the file is recorded as unsupported with the
command that fixes it.  ``.xls`` is read by ``sheets.extract_xls`` (xlrd).
"""

from __future__ import annotations

import shutil
import subprocess

from core.normalize.extract.base import (
    Extraction,
    ExtractionFailed,
    ExtractLimits,
    TextBudget,
    Unsupported,
    build_sections,
)
from core.types import Section

DOC_MIME = "application/msword"
PPT_MIME = "application/vnd.ms-powerpoint"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _run(tool: str, data: bytes, kind: str, limits: ExtractLimits) -> str:
    program = shutil.which(tool)
    if program is None:
        raise Unsupported(f"legacy {kind} needs the '{tool}' program (Debian/Ubuntu: apt-get install catdoc); not indexed")
    if not data.startswith(_OLE_MAGIC):
        raise ExtractionFailed(f"not a {kind} file (no OLE2 header)")
    try:
        done = subprocess.run([program, "-d", "utf-8"], input=data, capture_output=True, timeout=max(5.0, limits.timeout_s * 0.8), check=False)
    except subprocess.TimeoutExpired as exc:
        raise ExtractionFailed(f"{tool} took too long on this {kind}") from exc
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise ExtractionFailed(f"{tool} could not read this {kind}: {reason[0] if reason else done.returncode}")
    return done.stdout.decode("utf-8", errors="replace")


def _extraction(text: str, mime: str, limits: ExtractLimits) -> Extraction:
    budget = TextBudget(limits.max_chars)
    return Extraction(sections=build_sections([Section(text)], budget), mime=mime, notes=budget.notes())


def extract_doc(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    return _extraction(_run("catdoc", data, "Word document (.doc)", limits), DOC_MIME, limits)


def extract_ppt(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    return _extraction(_run("catppt", data, "PowerPoint file (.ppt)", limits), PPT_MIME, limits)

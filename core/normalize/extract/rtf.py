"""RTF with striprtf: the text of the document body, in the code page the file declares.

RTF is 7-bit ASCII with ``\\'xx`` escapes in the document's ANSI code page
(``\\ansicpg1252``) and ``\\uN`` escapes for the rest; striprtf resolves both.
"""

from __future__ import annotations

import codecs
import re

from core.normalize.extract.base import (
    Extraction,
    ExtractionFailed,
    ExtractLimits,
    TextBudget,
    build_sections,
)
from core.types import Section

_CODEPAGE = re.compile(rb"\\ansicpg(\d+)")
_TITLE = re.compile(rb"\{\\title\s+([^{}]*)\}")


def _codepage(data: bytes) -> str:
    m = _CODEPAGE.search(data[:4096])
    if m:
        name = f"cp{int(m.group(1))}"
        try:
            return codecs.lookup(name).name
        except LookupError:
            pass
    return "cp1252"


def extract(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    if not data.lstrip()[:5] == b"{\\rtf":
        raise ExtractionFailed("corrupt RTF: the file does not start with {\\rtf")
    from striprtf.striprtf import rtf_to_text

    encoding = _codepage(data)
    source = data.decode("latin-1")  # RTF is ASCII; latin-1 keeps any stray byte as itself
    try:
        text = rtf_to_text(source, encoding=encoding, errors="replace")
    except Exception as exc:
        raise ExtractionFailed(f"corrupt RTF: {type(exc).__name__}: {exc}") from exc
    title = None
    m = _TITLE.search(data[:65536])
    if m:
        title = rtf_to_text("{\\rtf1 " + m.group(1).decode("latin-1") + "}", encoding=encoding,
                            errors="replace").strip() or None
    # Each \\par ends a paragraph; blank lines let the chunker see them.
    text = text.replace("\n", "\n\n")
    budget = TextBudget(limits.max_chars)
    return Extraction(
        sections=build_sections([Section(text)], budget),
        mime="application/rtf",
        title=title,
        notes=budget.notes(),
        meta={"encoding": encoding},
    )

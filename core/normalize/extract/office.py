"""Office containers whose kind the first bytes do not tell: look inside, then hand to the right reader.

* Office Open XML (a zip whose first entries do not name ``word/``, ``ppt/``
  or ``xl/``): the zip's directory says which (no entry is inflated here).
* OLE2 compound files (legacy ``.doc``/``.ppt``/``.xls`` and Outlook ``.msg``):
  the stream names say which (``WordDocument``, ``PowerPoint Document``,
  ``Workbook``, ``__substg1.0_…``).
"""

from __future__ import annotations

import io
import zipfile

from core.normalize.extract.base import Extraction, ExtractionFailed, ExtractLimits, Unsupported


def extract(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    from core.normalize.extract import sheets, slides, word

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ExtractionFailed("corrupt Office document: not a readable zip container") from exc
    if "word/document.xml" in names:
        return word.extract(data, name, limits)
    if "ppt/presentation.xml" in names:
        return slides.extract_pptx(data, name, limits)
    if "xl/workbook.xml" in names:
        return sheets.extract_xlsx(data, name, limits)
    raise Unsupported("an Office Open XML package that is neither a document, a presentation nor a workbook")


def extract_ole(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    import olefile

    from core.normalize.extract import legacy_office, outlook, sheets

    try:
        with olefile.OleFileIO(data) as ole:
            streams = {"/".join(entry) for entry in ole.listdir()}
    except Exception as exc:
        raise ExtractionFailed(f"corrupt OLE2 compound file: {type(exc).__name__}") from exc
    if "WordDocument" in streams:
        return legacy_office.extract_doc(data, name, limits)
    if "PowerPoint Document" in streams:
        return legacy_office.extract_ppt(data, name, limits)
    if "Workbook" in streams or "Book" in streams:
        return sheets.extract_xls(data, name, limits)
    if any(s.startswith("__substg1.0_") for s in streams):
        return outlook.extract(data, name, limits)
    raise Unsupported("an OLE2 compound file of a kind Cairn does not read")

"""Text extraction from files: a table of extractors and one entry point.

``EXTRACTORS`` maps a lower-case suffix (``".pdf"``) or a MIME type
(``"application/pdf"``) to ``"module:function"``; the module is imported only
when a file of that kind shows up, so pypdf, python-docx and friends cost
nothing until needed.

Choosing an extractor: the suffix first; otherwise the magic bytes of the
file's head; otherwise, when the head looks like text, the plain-text
extractor.  Anything else is ``Unsupported`` ("binary file").

Run untrusted files through ``core.normalize.sandbox`` (time and memory
limits); the functions here run in the calling process.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from core.normalize.extract.base import (
    EncryptedDocument,
    Extraction,
    ExtractionFailed,
    ExtractionOutOfMemory,
    ExtractionTimeout,
    ExtractLimits,
    PageProgress,
    TooLarge,
    Unsupported,
    no_surrogates,
)
from core.normalize.extract.sniff import HEAD_BYTES, looks_binary, sniff_mime

_P = "core.normalize.extract."

TEXT = _P + "text:extract"
MARKDOWN = _P + "markdown:extract"
HTML = _P + "htmltext:extract"
TABULAR = _P + "tabular:extract"
PDF = _P + "pdf:extract"
DOCX = _P + "word:extract"
ODT = _P + "opendocument:extract"
RTF = _P + "rtf:extract"
EPUB = _P + "epub:extract"
EML = _P + "mail:extract"
PPTX = _P + "slides:extract_pptx"
ODP = _P + "slides:extract_odp"
XLSX = _P + "sheets:extract_xlsx"
ODS = _P + "sheets:extract_ods"
XLS = _P + "sheets:extract_xls"
MHTML = _P + "mhtml:extract"
MSG = _P + "outlook:extract"
DOC = _P + "legacy_office:extract_doc"
PPT = _P + "legacy_office:extract_ppt"
OOXML = _P + "office:extract"
IMAGE = _P + "image:extract"

_CODE_SUFFIXES = (
    ".py", ".pyi", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".java", ".kt", ".kts", ".scala", ".c", ".h",
    ".cc", ".cpp", ".cxx", ".hpp", ".hh", ".cs", ".go", ".rs", ".rb", ".php", ".pl", ".pm", ".swift", ".m",
    ".mm", ".lua", ".r", ".jl", ".hs", ".ml", ".ex", ".exs", ".erl", ".clj", ".dart", ".sh", ".bash", ".zsh",
    ".fish", ".ps1", ".bat", ".sql", ".css", ".scss", ".less", ".vue", ".svelte", ".el", ".vim", ".nix",
    ".cmake", ".gradle", ".proto", ".graphql", ".tf",
)
_TEXT_SUFFIXES = (
    ".txt", ".text", ".log", ".rst", ".adoc", ".org", ".tex", ".bib", ".json", ".jsonl", ".ndjson", ".yaml",
    ".yml", ".toml", ".ini", ".cfg", ".conf", ".xml", ".srt", ".vtt", ".ics", ".vcf", ".diff", ".patch", ".nfo",
    ".properties", ".dockerfile", ".mk",
)

EXTRACTORS: tuple[tuple[str, str], ...] = (
    *((suffix, TEXT) for suffix in _TEXT_SUFFIXES + _CODE_SUFFIXES),
    (".md", MARKDOWN), (".markdown", MARKDOWN), (".mdown", MARKDOWN), (".mkd", MARKDOWN),
    (".html", HTML), (".htm", HTML), (".xhtml", HTML),
    (".csv", TABULAR), (".tsv", TABULAR), (".tab", TABULAR),
    (".pdf", PDF),
    (".docx", DOCX), (".docm", DOCX), (".dotx", DOCX),
    (".odt", ODT), (".ott", ODT),
    (".rtf", RTF),
    (".epub", EPUB),
    (".eml", EML),
    (".pptx", PPTX), (".pptm", PPTX), (".ppsx", PPTX), (".potx", PPTX),
    (".odp", ODP), (".otp", ODP),
    (".xlsx", XLSX), (".xlsm", XLSX), (".xltx", XLSX),
    (".ods", ODS), (".ots", ODS),
    (".xls", XLS),
    (".mht", MHTML), (".mhtml", MHTML),
    (".msg", MSG),
    (".doc", DOC), (".dot", DOC),
    (".ppt", PPT), (".pps", PPT),
    (".png", IMAGE), (".jpg", IMAGE), (".jpeg", IMAGE), (".webp", IMAGE), (".tif", IMAGE), (".tiff", IMAGE),
    (".bmp", IMAGE), (".gif", IMAGE), (".heic", IMAGE), (".heif", IMAGE),
    ("text/plain", TEXT),
    ("text/markdown", MARKDOWN),
    ("text/html", HTML),
    ("text/csv", TABULAR),
    ("application/pdf", PDF),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", DOCX),
    ("application/vnd.oasis.opendocument.text", ODT),
    ("application/rtf", RTF),
    ("application/epub+zip", EPUB),
    ("message/rfc822", EML),
    ("application/vnd.openxmlformats-officedocument.presentationml.presentation", PPTX),
    ("application/vnd.oasis.opendocument.presentation", ODP),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", XLSX),
    ("application/vnd.oasis.opendocument.spreadsheet", ODS),
    ("application/x-ooxml", OOXML),
    ("application/x-ole-storage", _P + "office:extract_ole"),
    ("multipart/related", MHTML),
    ("image/png", IMAGE), ("image/jpeg", IMAGE), ("image/webp", IMAGE), ("image/tiff", IMAGE), ("image/gif", IMAGE),
    ("image/bmp", IMAGE), ("image/heic", IMAGE),
)

# Extractors that OCR page by page take a ``progress`` keyword (``PageProgress``); the others never see it.
REPORTS_PAGES = frozenset({PDF, IMAGE})

# Suffixes whose content is text: a binary head under one of these names is
# still refused (the name lies).  Document formats are binary by nature.
TEXT_FAMILY = frozenset({TEXT, MARKDOWN, HTML, TABULAR})

Extractor = Callable[[bytes, str, ExtractLimits], Extraction]


def _table() -> dict[str, str]:
    return dict(EXTRACTORS)


def suffix_of(name: str) -> str:
    """The lower-case suffix used for lookup (``"Report.PDF"`` -> ``".pdf"``, ``"Makefile"`` -> ``""``)."""
    return Path(name).suffix.lower()


def choose_extractor(name: str, head: bytes) -> str:
    """The ``"module:function"`` target for a file called ``name`` starting with ``head``.

    Raises ``Unsupported`` for binary content with no extractor.
    """
    table = _table()
    target = table.get(suffix_of(name))
    mime = sniff_mime(head)
    if target is not None:
        if target in TEXT_FAMILY and looks_binary(head):
            raise Unsupported("binary content (sniffed) under a text file name; not indexed")
        # The content wins over a document name that lies (a PPTX called .docx, an RTF
        # or HTML page saved as .doc): the bytes say what the file is.
        if (mime is not None and mime != "multipart/related" and target not in TEXT_FAMILY
                and table[mime] != target and not _same_family(mime, target)):
            return table[mime]
        return target
    if mime is not None:
        return table[mime]
    if looks_binary(head):
        raise Unsupported("binary file (sniffed); no extractor for it")
    return TEXT


def _same_family(mime: str, target: str) -> bool:
    """A generic container MIME (OOXML, OLE) agrees with any specific extractor of that container."""
    if mime == "application/x-ooxml":
        return target in (DOCX, PPTX, XLSX)
    if mime == "application/x-ole-storage":
        return target in (DOC, PPT, XLS, MSG)
    return False


def load_extractor(target: str) -> Extractor:
    module_name, _, function = target.partition(":")
    module = importlib.import_module(module_name)
    extractor: Extractor = getattr(module, function)
    return extractor


def extract_bytes(data: bytes, name: str, limits: ExtractLimits | None = None, target: str | None = None,
                  progress: PageProgress | None = None) -> Extraction:
    """Extract text from ``data`` (the content of a file called ``name``), in this process.

    ``target`` (``"module:function"``) forces an extractor instead of choosing
    one from the name and content.  ``progress`` hears each page an OCR'ing
    extractor (images, scanned PDF pages) starts on.  Raises ``ExtractionFailed`` (or a
    subclass) with a user-facing reason; unexpected library errors are
    wrapped, never leaked.
    """
    limits = limits or ExtractLimits()
    if len(data) > limits.max_file_bytes:
        raise TooLarge(f"{len(data) / 2**20:,.1f} MB is over the {limits.max_file_bytes / 2**20:,.0f} MB size cap")
    target = target or choose_extractor(name, data[:HEAD_BYTES])
    extractor = load_extractor(target)
    try:
        if progress is not None and target in REPORTS_PAGES:
            return _sanitised(extractor(data, name, limits, progress=progress))  # type: ignore[call-arg]
        return _sanitised(extractor(data, name, limits))
    except ExtractionFailed:
        raise
    except MemoryError as exc:
        raise ExtractionOutOfMemory("ran out of memory while extracting") from exc
    except RecursionError as exc:
        raise ExtractionFailed("document structure nested too deeply") from exc
    except Exception as exc:
        kind = target.rsplit(".", 1)[-1].split(":")[0]
        raise ExtractionFailed(f"{kind} extractor failed: {type(exc).__name__}: {exc}") from exc


def _sanitised(extraction: Extraction) -> Extraction:
    """Titles, notes and metadata without lone surrogates (section text is tidied by the extractors)."""
    from dataclasses import replace

    title = no_surrogates(extraction.title).strip() or None if extraction.title else None
    return replace(
        extraction,
        title=title,
        notes=tuple(no_surrogates(n) for n in extraction.notes),
        meta={no_surrogates(k): no_surrogates(v) for k, v in extraction.meta.items()},
    )


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, refusing (``TooLarge``) to read more than ``limit``.

    Raises ``ExtractionFailed`` with a clear reason when the file vanished,
    is unreadable, or is not a regular file.
    """
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError as exc:
        raise ExtractionFailed("file vanished before it could be read") from exc
    except PermissionError as exc:
        raise ExtractionFailed("permission denied") from exc
    except IsADirectoryError as exc:
        raise ExtractionFailed("is a directory") from exc
    except OSError as exc:
        raise ExtractionFailed(f"unreadable: {exc.strerror or exc}") from exc
    if len(data) > limit:
        raise TooLarge(f"over the {limit / 2**20:,.0f} MB size cap")
    return data


def extract_file(path: Path, limits: ExtractLimits | None = None) -> Extraction:
    """Read ``path`` (bounded by ``limits.max_file_bytes``) and extract it in this process."""
    limits = limits or ExtractLimits()
    return extract_bytes(read_limited(path, limits.max_file_bytes), path.name, limits)


__all__ = [
    "EXTRACTORS",
    "EncryptedDocument",
    "ExtractLimits",
    "Extraction",
    "ExtractionFailed",
    "ExtractionOutOfMemory",
    "ExtractionTimeout",
    "PageProgress",
    "TooLarge",
    "Unsupported",
    "choose_extractor",
    "extract_bytes",
    "extract_file",
    "read_limited",
]

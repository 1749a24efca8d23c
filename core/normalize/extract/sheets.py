"""Spreadsheets: XLSX with openpyxl, ODS with odfpy, legacy XLS with xlrd — one section per sheet.

Each sheet is a section headed by its name; rows become lines with cells
joined by `` | ``.  Formulas contribute their computed value as last saved
(``data_only``), not the formula text.  Rows past ``limits.max_rows`` per
sheet are cut with a note.  XLSX/ODS containers are checked first
(``zipguard``); openpyxl runs in read-only (streaming) mode.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from core.normalize.extract.base import (
    Extraction,
    ExtractionFailed,
    ExtractLimits,
    TextBudget,
    build_sections,
)
from core.normalize.extract.zipguard import check_zip
from core.types import Section

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
XLS_MIME = "application/vnd.ms-excel"
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_MAX_REPEAT = 1000  # ODS repeats empty cells/rows to the sheet's end; never expand more than this


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _sheet(name: str, rows: Iterable[Iterable[Any]], limit: int, notes: list[str]) -> Section:
    lines: list[str] = []
    for n, row in enumerate(rows):
        if n >= limit:
            notes.append(f"sheet {name!r}: rows after {limit:,} not indexed")
            break
        cells = [c for c in (_cell(v) for v in row) if c]
        if cells:
            lines.append(" | ".join(cells))
    return Section("\n".join([f"Sheet: {name}", *lines]) if lines else "", heading=name)


def extract_xlsx(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    check_zip(data, "XLSX", limits)
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ExtractionFailed(f"corrupt XLSX: {type(exc).__name__}: {exc}") from exc
    notes: list[str] = []
    sections: list[Section] = []
    try:
        for sheet in book.worksheets:
            try:
                sections.append(_sheet(sheet.title, sheet.iter_rows(values_only=True), limits.max_rows, notes))
            except Exception as exc:  # one broken sheet: keep the others
                notes.append(f"sheet {sheet.title!r} unreadable ({type(exc).__name__})")
    finally:
        book.close()
    budget = TextBudget(limits.max_chars)
    return Extraction(sections=build_sections(sections, budget), mime=XLSX_MIME, notes=(*notes, *budget.notes()),
                      meta={"sheets": ", ".join(s.heading or "" for s in sections)})


def _ods_rows(table: Any, teletype: Any) -> Iterable[list[str]]:
    for row in table.getElementsByType(_row_type()):
        repeat_rows = min(int(row.getAttrNS(_TABLE_NS, "number-rows-repeated") or 1), _MAX_REPEAT)
        cells: list[str] = []
        for cell in row.childNodes:
            if getattr(cell, "qname", (None, None))[1] not in ("table-cell", "covered-table-cell"):
                continue
            text = teletype.extractText(cell)
            repeat = min(int(cell.getAttrNS(_TABLE_NS, "number-columns-repeated") or 1), _MAX_REPEAT)
            cells.extend([text] * (repeat if text.strip() else 1))
        for _ in range(repeat_rows if any(c.strip() for c in cells) else 1):
            yield cells


def _row_type() -> Any:
    from odf.table import TableRow

    return TableRow


def extract_ods(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    check_zip(data, "ODS", limits)
    from odf import teletype
    from odf.opendocument import load
    from odf.table import Table

    try:
        document = load(io.BytesIO(data))
        tables = document.spreadsheet.getElementsByType(Table)
    except Exception as exc:
        raise ExtractionFailed(f"corrupt ODS: {type(exc).__name__}: {exc}") from exc
    notes: list[str] = []
    sections = [_sheet(str(t.getAttrNS(_TABLE_NS, "name") or "Sheet"), _ods_rows(t, teletype), limits.max_rows, notes)
                for t in tables]
    budget = TextBudget(limits.max_chars)
    return Extraction(sections=build_sections(sections, budget), mime=ODS_MIME, notes=(*notes, *budget.notes()),
                      meta={"sheets": ", ".join(s.heading or "" for s in sections)})


def extract_xls(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as exc:
        raise ExtractionFailed(f"corrupt or unsupported XLS: {type(exc).__name__}: {exc}") from exc
    notes: list[str] = []
    sections: list[Section] = []
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            rows = (sheet.row_values(r) for r in range(sheet.nrows))
            sections.append(_sheet(sheet.name, rows, limits.max_rows, notes))
            book.unload_sheet(index)
    finally:
        book.release_resources()
    budget = TextBudget(limits.max_chars)
    return Extraction(sections=build_sections(sections, budget), mime=XLS_MIME, notes=(*notes, *budget.notes()))

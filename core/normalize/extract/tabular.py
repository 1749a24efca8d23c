"""CSV and TSV: rows as searchable lines, each labelled with its column names.

With a header row, a row becomes ``Name: Ann; Email: ann@example.org`` so any
chunk of rows still says what its values mean.  Rows are grouped into
sections headed ``rows 2–41`` (1-based lines of the file) so a hit can be
found in the spreadsheet.  At most ``limits.max_rows`` rows are read.
"""

from __future__ import annotations

import csv
import io
import re

from core.normalize.extract.base import Extraction, ExtractLimits, TextBudget, build_sections
from core.normalize.extract.textdecode import decode_text
from core.types import Section

ROWS_PER_SECTION = 40
_SAMPLE = 16384  # enough for the sniffer to see the dialect and the header; it is slow on more
_NUMBER = re.compile(r"^[\s$€£¥+-]*[\d.,]+\s*%?$")


def _dialect(sample: str, name: str) -> type[csv.Dialect] | csv.Dialect:
    if name.lower().endswith((".tsv", ".tab")):
        return csv.excel_tab
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def _has_header(sample: str, first: list[str]) -> bool:
    """A first row of short, distinct, non-numeric labels is taken as a header."""
    cells = [c.strip() for c in first]
    if len(cells) < 2 or not all(cells):
        return False
    if any(_NUMBER.match(c) for c in cells) or len(set(cells)) != len(cells):
        return False
    try:
        return csv.Sniffer().has_header(sample) or all(len(c) <= 40 for c in cells)
    except csv.Error:
        return all(len(c) <= 40 for c in cells)


def _render(row: list[str], header: list[str] | None) -> str:
    if header is None:
        return " | ".join(c.strip() for c in row if c.strip())
    parts = []
    for i, value in enumerate(row):
        value = value.strip()
        if not value:
            continue
        label = header[i] if i < len(header) and header[i] else f"column {i + 1}"
        parts.append(f"{label}: {value}")
    return "; ".join(parts)


def extract(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    decoded = decode_text(data)
    text = decoded.text
    notes = list(decoded.notes)
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text[:_SAMPLE], name))
    header: list[str] | None = None
    sections: list[Section] = []
    lines: list[str] = []
    group_start = 1
    rows = 0
    first = True
    try:
        for row in reader:
            line_no = reader.line_num
            if first:
                first = False
                if _has_header(text[:_SAMPLE], row):
                    header = [c.strip() for c in row]
                    group_start = line_no + 1
                    continue
            if rows >= limits.max_rows:
                notes.append(f"only the first {limits.max_rows:,} rows were indexed")
                break
            rows += 1
            rendered = _render(row, header)
            if rendered:
                lines.append(rendered)
            if len(lines) >= ROWS_PER_SECTION:
                sections.append(Section("\n".join(lines), heading=f"rows {group_start}–{line_no}"))
                lines, group_start = [], line_no + 1
    except csv.Error as exc:
        notes.append(f"stopped at line {reader.line_num}: {exc}")
    if lines:
        sections.append(Section("\n".join(lines), heading=f"rows {group_start}–{reader.line_num}"))
    if header:
        sections.insert(0, Section("Columns: " + ", ".join(h for h in header if h), heading="columns"))
    budget = TextBudget(limits.max_chars)
    mime = "text/tab-separated-values" if name.lower().endswith((".tsv", ".tab")) else "text/csv"
    return Extraction(
        sections=build_sections(sections, budget),
        mime=mime,
        notes=(*notes, *budget.notes()),
        meta={"encoding": decoded.encoding, "rows": str(rows)},
    )

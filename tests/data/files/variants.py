"""Document variants beyond the base corpus: office formats, odd encodings, web archives, legacy files.

Each ``DocVariant`` is one file written from the format's public description
(ECMA-376 for OOXML, OASIS ODF, RFC 2557 for MHTML, RFC 5322 for mail) with a
marker word that a correct extraction must contain.  ``tests/normalize`` checks
each; ``python -m bench.files --variants`` reports the share extracted correctly
(together with the base corpus of ``corpus.build_corpus``).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from tests.data.files.cfb import make_msg
from tests.data.files.corpus import PROSE, make_docx, make_rtf
from tests.data.files.images import multipage, text_image
from tests.data.files.legacy_office import make_doc, make_ppt


@dataclass(frozen=True)
class DocVariant:
    name: str
    filename: str
    build: Callable[[], bytes]
    markers: tuple[str, ...]


def make_pptx(slides: list[tuple[str, str, str]]) -> bytes:
    """(title, body, speaker notes) per slide, through python-pptx's default template."""
    import pptx
    from pptx.util import Inches

    deck = pptx.Presentation()
    for title, body, notes in slides:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title
        slide.placeholders[1].text = body
        table = slide.shapes.add_table(2, 2, Inches(1), Inches(5), Inches(4), Inches(1)).table
        table.cell(0, 0).text, table.cell(1, 1).text = "Owner", f"{title} table cell"
        slide.notes_slide.notes_text_frame.text = notes
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def make_xlsx(sheets: dict[str, list[list[tuple[str, str | None]]]]) -> bytes:
    """A minimal SpreadsheetML package written by hand (ECMA-376 part 1, §18).

    Cells are ``(value, formula)``: a formula cell carries its cached value, as
    Excel saves it, so a reader that takes values (not formulas) sees the result.
    """
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    strings: list[str] = []
    sheet_xml: list[str] = []
    for rows in sheets.values():
        lines = []
        for r, row in enumerate(rows, 1):
            cells = []
            for c, (value, formula) in enumerate(row):
                ref = f"{chr(65 + c)}{r}"
                if formula is not None:
                    cells.append(f'<c r="{ref}"><f>{formula}</f><v>{value}</v></c>')
                elif value.replace(".", "", 1).isdigit():
                    cells.append(f'<c r="{ref}"><v>{value}</v></c>')
                else:
                    strings.append(value)
                    cells.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
            lines.append(f'<row r="{r}">{"".join(cells)}</row>')
        sheet_xml.append(f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData>{"".join(lines)}'
                         "</sheetData></worksheet>")
    names = list(sheets)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(names) + 1))
        zf.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
            'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'sheet.main+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
            f'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>{overrides}</Types>'))
        zf.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        sheet_entries = "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
        zf.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} {rel_ns}><sheets>'
                                       f"{sheet_entries}</sheets></workbook>")
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            f'worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(names) + 1))
        rels += (f'<Relationship Id="rId{len(names) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/'
                 '2006/relationships/sharedStrings" Target="sharedStrings.xml"/>')
        zf.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships '
                    f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>')
        shared = "".join(f"<si><t>{s}</t></si>" for s in strings)
        zf.writestr("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8"?><sst {ns} count="{len(strings)}"'
                                            f' uniqueCount="{len(strings)}">{shared}</sst>')
        for i, xml in enumerate(sheet_xml, 1):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", xml)
    return out.getvalue()


def make_ods(sheets: dict[str, list[list[str]]], formula_value: str) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    for name, rows in sheets.items():
        table = Table(name=name)
        for row in rows:
            tr = TableRow()
            for value in row:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=value))
                tr.addElement(cell)
            table.addElement(tr)
        formula = TableRow()
        cell = TableCell(valuetype="float", value=formula_value, formula="of:=SUM([.A1:.A2])")
        cell.addElement(P(text=formula_value))
        formula.addElement(cell)
        table.addElement(formula)
        document.spreadsheet.addElement(table)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def make_odp(slides: list[tuple[str, str, str]]) -> bytes:
    from odf.draw import Frame, Page, TextBox
    from odf.opendocument import OpenDocumentPresentation
    from odf.presentation import Notes
    from odf.style import MasterPage, PageLayout
    from odf.text import P

    document = OpenDocumentPresentation()
    layout = PageLayout(name="layout")
    document.automaticstyles.addElement(layout)
    master = MasterPage(name="master", pagelayoutname=layout)
    document.masterstyles.addElement(master)
    for title, body, notes in slides:
        page = Page(name=title, masterpagename=master)
        for text in (title, body):
            frame = Frame(width="20cm", height="3cm", x="1cm", y="1cm")
            box = TextBox()
            box.addElement(P(text=text))
            frame.addElement(box)
            page.addElement(frame)
        spoken = Notes()
        frame = Frame(width="20cm", height="3cm", x="1cm", y="1cm")
        box = TextBox()
        box.addElement(P(text=notes))
        frame.addElement(box)
        spoken.addElement(frame)
        page.addElement(spoken)
        document.presentation.addElement(page)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def make_xls(rows: list[list[str | float]]) -> bytes:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Ledger")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def make_mhtml(title: str, body_html: str) -> bytes:
    """RFC 2557 multipart/related as Chromium's "Save page as → single file" writes it (quoted-printable)."""
    import quopri

    html = f"<!DOCTYPE html><html><head><title>{title}</title></head><body>{body_html}</body></html>"
    encoded = quopri.encodestring(html.encode("utf-8")).decode("ascii")
    boundary = "----MultipartBoundary--Cairn0123456789----"
    return (
        "From: <Saved by Blink>\r\n"
        "Snapshot-Content-Location: https://harbour.example.org/news\r\n"
        f"Subject: {title}\r\n"
        "Date: Thu, 14 Mar 2024 18:00:00 -0000\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Type: text/html\r\nContent-ID: <frame-1@mhtml.blink>\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\nContent-Location: https://harbour.example.org/news\r\n\r\n"
        f"{encoded}\r\n"
        f"--{boundary}\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
        "Content-Location: https://harbour.example.org/logo.png\r\n\r\niVBORw0KGgo=\r\n"
        f"--{boundary}--\r\n"
    ).encode("ascii")


def make_utf16_eml(subject: str, body: str) -> bytes:
    """An e-mail saved as UTF-16LE without a BOM (as some Windows mail tools do)."""
    text = (f"From: Lukas Berg <lukas@example.org>\r\nTo: Mara <mara@example.org>\r\nSubject: {subject}\r\n"
            "Date: Thu, 14 Mar 2024 18:00:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            f"{body}\r\n")
    return text.encode("utf-16-le")


def make_docx_broken_grid(marker: str) -> bytes:
    """A DOCX whose table rows have more cells than its grid declares (python-docx cannot lay it out)."""
    data = make_docx("Grid", [PROSE], table=[["Name", "Role"], ["Ines", "Lead"]])
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "word/document.xml":
                xml = content.decode("utf-8")
                cell = f'<w:tc><w:tcPr><w:gridSpan w:val="5"/></w:tcPr><w:p><w:r><w:t>{marker}</w:t></w:r></w:p></w:tc>'
                xml = xml.replace("</w:tr>", cell + "</w:tr>", 1)
                content = xml.encode("utf-8")
            zf.writestr(info, content)
    return out.getvalue()


MARKERS = {
    "pptx": "HALCYON-BEACON", "pptx-notes": "QUARTZ-WHISPER", "odp": "TAMARIND-SEXTANT",
    "odp-notes": "GARNET-RIVULET", "xlsx": "LAPIS-FOUNDRY", "xlsx-formula": "4711", "ods": "MOSS-CANDELABRA",
    "ods-formula": "8128", "xls": "CORAL-ABACUS", "mhtml": "ZINNIA-OBSERVATORY", "eml16": "TEAL-ARCHIPELAGO",
    "docx-grid": "FLAX-GONDOLA", "docx-as-pptx": "BRASS-MERIDIAN", "doc-rtf": "IVORY-PAGODA",
    "msg": "QUAY-ORCHID",
    "doc97": "KELP-MERIDIAN",
    "ppt97": "FJORD-TAMBOURINE",
    # OCR'd: plain words tesseract reads reliably at these sizes
    "png": "PERIWINKLE", "jpeg": "MARMALADE", "webp": "ZEPPELIN", "tiff": "WALRUS", "heic": "OBSERVATORY",
    "scan": "SAXOPHONE",
}


def variants() -> list[DocVariant]:
    m = MARKERS
    return [
        DocVariant("PPTX: slide text, table and notes", "deck.pptx", lambda: make_pptx([
            ("Harbour plan", f"Budget {m['pptx']} approved", f"Say {m['pptx-notes']} slowly")]),
            (m["pptx"], m["pptx-notes"], "Harbour plan table cell")),
        DocVariant("PPTX saved under a .docx name", "misnamed.docx", lambda: make_pptx([
            ("Misnamed", f"Code {m['docx-as-pptx']}", "no notes")]), (m["docx-as-pptx"],)),
        DocVariant("ODP: slide text and notes", "deck.odp", lambda: make_odp([
            ("Harbour plan", f"Crane {m['odp']} arrives", f"Mention {m['odp-notes']}")]), (m["odp"], m["odp-notes"])),
        DocVariant("XLSX: sheet names, cells, formula values", "ledger.xlsx", lambda: make_xlsx({
            "Budget 2024": [[("Item", None), ("Cost", None)], [(m["xlsx"], None), ("4000", None)],
                            [("Total", None), (m["xlsx-formula"], "SUM(B2:B2)+711")]]}),
            (m["xlsx"], m["xlsx-formula"], "Budget 2024")),
        DocVariant("ODS: sheet names, cells, formula values", "ledger.ods", lambda: make_ods(
            {"Tides": [["Place", "Height"], [m["ods"], "3"]]}, m["ods-formula"]), (m["ods"], m["ods-formula"], "Tides")),
        DocVariant("XLS (Excel 97-2003)", "old.xls", lambda: make_xls([["Item", "Cost"], [m["xls"], 12.5]]),
                   (m["xls"], "12.5")),
        DocVariant("MHTML web archive (quoted-printable)", "page.mhtml", lambda: make_mhtml(
            "Harbour news", f"<h1>Harbour news</h1><p>The {m['mhtml']} crane arrives = Monday.</p>"),
            (m["mhtml"], "crane arrives = Monday")),
        DocVariant("E-mail in UTF-16LE without BOM", "offer.eml", lambda: make_utf16_eml(
            "Offer", f"Hi Mara, code {m['eml16']}. Grüße, Lukas"), (m["eml16"], "Grüße")),
        DocVariant("DOCX with a malformed table grid", "grid.docx", lambda: make_docx_broken_grid(m["docx-grid"]),
                   (m["docx-grid"], "Ines")),
        DocVariant("RTF saved under a .doc name", "letter.doc", lambda: make_rtf([f"Reference {m['doc-rtf']}."]),
                   (m["doc-rtf"],)),
        DocVariant("Outlook .msg", "quay.msg", lambda: make_msg(
            "Quay repairs", f"Dear Mara, the {m['msg']} estimate is attached.", "Lukas Berg", "Mara"),
            (m["msg"], "Subject: Quay repairs", "From: Lukas Berg")),
        DocVariant("Word 97-2003 .doc", "minutes.doc", lambda: make_doc(
            ["Harbour minutes", f"Item 1: the {m['doc97']} dredging, approved by Herr Müller."]),
            (m["doc97"], "Herr Müller")),
        DocVariant("PowerPoint 97-2003 .ppt", "plan.ppt", lambda: make_ppt(
            [("Harbour plan", f"Phase {m['ppt97']} starts in Ålesund")], notes="Mention the tides"),
            (m["ppt97"], "Ålesund", "Mention the tides")),
        DocVariant("PNG screenshot (OCR)", "receipt.png", lambda: text_image([f"Receipt for the {m['png']} kayak"]),
                   (m["png"],)),
        DocVariant("JPEG photo (OCR)", "photo.jpg", lambda: text_image([f"Grandmother's {m['jpeg']} recipe"],
                                                                       fmt="JPEG"), (m["jpeg"],)),
        DocVariant("WebP image (OCR)", "shot.webp", lambda: text_image([f"Quarterly {m['webp']} schedule"], fmt="WEBP"),
                   (m["webp"],)),
        DocVariant("HEIC photo, iPhone (OCR)", "IMG_0042.HEIC", lambda: text_image([f"Birthday at the {m['heic']}"],
                                                                                   fmt="HEIF"), (m["heic"],)),
        DocVariant("multi-page TIFF fax (OCR, every page)", "fax.tiff", lambda: multipage(
            [["Fax cover sheet"], [f"The {m['tiff']} conference moved"]], "TIFF"), ("Fax cover", m["tiff"])),
        DocVariant("image-only scanned PDF (OCR, every page)", "scan.pdf", lambda: multipage(
            [["Scanned letter, page one"], [f"The {m['scan']} lessons start in May"]], "PDF"), ("page one", m["scan"])),
    ]

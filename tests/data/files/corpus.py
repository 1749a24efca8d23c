"""Builds realistic documents of every format Cairn extracts, plus hostile ones.

Nothing binary is committed: tests and ``bench/files.py`` call these builders
into temporary folders.  Each good document carries a marker phrase (see
``MARKERS``) so a test can prove the text went all the way through.

PDFs are written by hand (a few objects, a correct xref table) so the tests do
not depend on a PDF writer; DOCX, ODT and EPUB use the libraries Cairn reads
them with, which also write them.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

# --------------------------------------------------------------------------- PDF


def _pdf_escape(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _wrap(text: str, width: int = 85) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return lines


def _page_stream(text: str) -> bytes:
    out = [b"BT /F1 11 Tf 14 TL 56 780 Td"]
    for line in _wrap(text)[:52]:
        out.append(b"(" + _pdf_escape(line) + b") Tj T*")
    out.append(b"ET")
    return b"\n".join(out)


def _image_stream() -> bytes:
    return b"q 400 0 0 300 100 400 cm /Im1 Do Q"


class _PdfBuilder:
    def __init__(self) -> None:
        self.objects: list[bytes] = []

    def add(self, body: bytes) -> int:
        self.objects.append(body)
        return len(self.objects)

    def reserve(self) -> int:
        return self.add(b"null")

    def set(self, number: int, body: bytes) -> None:
        self.objects[number - 1] = body

    def stream(self, data: bytes, extra: bytes = b"") -> int:
        return self.add(b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream")

    def build(self, root: int, info: int | None = None) -> bytes:
        out = io.BytesIO()
        out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for i, body in enumerate(self.objects, start=1):
            offsets.append(out.tell())
            out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
        xref = out.tell()
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(self.objects) + 1))
        for off in offsets:
            out.write(b"%010d 00000 n \n" % off)
        trailer = b"<< /Size %d /Root %d 0 R" % (len(self.objects) + 1, root)
        if info:
            trailer += b" /Info %d 0 R" % info
        out.write(b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref)
        return out.getvalue()


def make_pdf(pages: Sequence[str | None], title: str | None = None, author: str | None = None) -> bytes:
    """A PDF with one page per entry: text, or ``None`` for a scanned (image-only) page."""
    b = _PdfBuilder()
    catalog = b.reserve()
    page_tree = b.reserve()
    font = b.add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    gray = bytes((x * 7 + y * 3) % 256 for y in range(32) for x in range(32))
    image = b.stream(zlib.compress(gray),
                     b"/Type /XObject /Subtype /Image /Width 32 /Height 32 /ColorSpace /DeviceGray "
                     b"/BitsPerComponent 8 /Filter /FlateDecode ")
    kids = []
    for text in pages:
        content = b.stream(_image_stream() if text is None else _page_stream(text))
        resources = (b"<< /XObject << /Im1 %d 0 R >> >>" % image) if text is None else (
            b"<< /Font << /F1 %d 0 R >> >>" % font)
        kids.append(b.add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources %s /Contents %d 0 R >>"
                          % (page_tree, resources, content)))
    b.set(page_tree, b"<< /Type /Pages /Kids [%s] /Count %d >>"
          % (b" ".join(b"%d 0 R" % k for k in kids), len(kids)))
    b.set(catalog, b"<< /Type /Catalog /Pages %d 0 R >>" % page_tree)
    info = None
    if title or author:
        fields = b""
        if title:
            fields += b"/Title (" + _pdf_escape(title) + b") "
        if author:
            fields += b"/Author (" + _pdf_escape(author) + b") "
        info = b.add(b"<< " + fields + b"/CreationDate (D:20240315093000+01'00') >>")
    return b.build(catalog, info)


def make_pdf_bomb(fanout: int = 1000, depth: int = 3) -> bytes:
    """A tiny PDF whose page tree repeats one node ``fanout`` times per level: fanout**depth pages."""
    b = _PdfBuilder()
    catalog = b.reserve()
    font = b.add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    content = b.stream(_page_stream("boom"))
    leaf = b.reserve()
    below = leaf
    levels = []
    for _ in range(depth):
        node = b.reserve()
        b.set(node, b"<< /Type /Pages /Kids [%s] /Count %d >>"
              % (b" ".join([b"%d 0 R" % below] * fanout), fanout ** (len(levels) + 1)))
        levels.append(node)
        below = node
    b.set(leaf, b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> >> "
          b"/Contents %d 0 R >>" % (levels[0], font, content))
    b.set(catalog, b"<< /Type /Catalog /Pages %d 0 R >>" % below)
    return b.build(catalog)


def make_pdf_cycle() -> bytes:
    """A page tree whose node lists itself among its kids."""
    b = _PdfBuilder()
    catalog = b.reserve()
    tree = b.reserve()
    b.set(tree, b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % tree)
    b.set(catalog, b"<< /Type /Catalog /Pages %d 0 R >>" % tree)
    return b.build(catalog)


def encrypt_pdf(data: bytes, user_password: str, owner_password: str = "owner") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --------------------------------------------------------------------------- office formats


def make_docx(title: str, paragraphs: Sequence[str], table: Sequence[Sequence[str]] = (),
              header: str | None = None, footer: str | None = None) -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = "Mara Lindqvist"
    document.add_heading(title, level=0)
    for i, text in enumerate(paragraphs):
        if i and i % 3 == 0:
            document.add_heading(f"Part {i // 3}", level=1)
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    section = document.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    if footer:
        section.footer.paragraphs[0].text = footer
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_odt(title: str, paragraphs: Sequence[str], table: Sequence[Sequence[str]] = ()) -> bytes:
    from odf import dc
    from odf import table as odf_table
    from odf import text as odf_text
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    document.meta.addElement(dc.Title(text=title))
    document.text.addElement(odf_text.H(outlinelevel=1, text=title))
    for i, body in enumerate(paragraphs):
        if i and i % 3 == 0:
            document.text.addElement(odf_text.H(outlinelevel=2, text=f"Part {i // 3}"))
        document.text.addElement(odf_text.P(text=body))
    if table:
        grid = odf_table.Table(name="Contacts")
        for row in table:
            tr = odf_table.TableRow()
            for value in row:
                cell = odf_table.TableCell()
                cell.addElement(odf_text.P(text=value))
                tr.addElement(cell)
            grid.addElement(tr)
        document.text.addElement(grid)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def make_epub(title: str, chapters: Sequence[tuple[str, str]]) -> bytes:
    import warnings

    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("cairn-test-book")
    book.set_title(title)
    book.set_language("en")
    book.add_author("Ines Okafor")
    items = []
    for i, (heading, body) in enumerate(chapters, start=1):
        chapter = epub.EpubHtml(title=heading, file_name=f"chap_{i}.xhtml", lang="en")
        paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
        chapter.content = f"<html><body><h1>{heading}</h1>{paragraphs}</body></html>"
        book.add_item(chapter)
        items.append(chapter)
    book.toc = tuple(items)
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *items]
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        epub.write_epub(out, book)
    return out.getvalue()


def make_rtf(paragraphs: Sequence[str]) -> bytes:
    def esc(text: str) -> str:
        out = []
        for ch in text:
            code = ord(ch)
            if ch in "\\{}":
                out.append("\\" + ch)
            elif code < 128:
                out.append(ch)
            elif code < 256 or ch in "€“”‘’–—":
                out.append(f"\\'{ch.encode('cp1252')[0]:02x}")
            else:
                out.append(f"\\u{code if code < 32768 else code - 65536}?")
        return "".join(out)

    body = "".join("\\pard " + esc(p) + "\\par\n" for p in paragraphs)
    doc = ("{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Times New Roman;}}"
           "{\\info{\\title Quarterly notes}}\n\\f0\\fs24 " + body + "}")
    return doc.encode("ascii")


def make_eml(subject: str, body: str, html: str | None = None,
             attachments: Sequence[tuple[str, bytes, str]] = (), charset: str = "utf-8") -> bytes:
    msg = EmailMessage()
    msg["From"] = "Lukas Brenner <lukas@example.org>"
    msg["To"] = "Mara Lindqvist <mara@example.org>"
    msg["Subject"] = subject
    msg["Date"] = "Tue, 12 Mar 2024 14:05:00 +0100"
    msg["Message-ID"] = "<test-1@example.org>"
    msg.set_content(body, charset=charset)
    if html:
        msg.add_alternative(html, subtype="html")
    for filename, data, mime in attachments:
        maintype, subtype = mime.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(msg)


# --------------------------------------------------------------------------- hostile inputs


def make_zip_bomb(path: Path, entry_mb: int = 400, entries: int = 1, as_docx: bool = True) -> None:
    """A zip that inflates ``entries * entry_mb`` MB of zeros from a few hundred KB.

    With ``as_docx`` it has a ``[Content_Types].xml`` and a huge ``word/document.xml``
    so it looks like a Word file until it is inflated.
    """
    chunk = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        if as_docx:
            zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        for i in range(entries):
            name = "word/document.xml" if as_docx and i == 0 else f"bomb{i}.bin"
            with zf.open(name, "w", force_zip64=True) as fh:
                for _ in range(entry_mb):
                    fh.write(chunk)


# --------------------------------------------------------------------------- the corpus


@dataclass(frozen=True)
class Doc:
    """One file of the corpus: where it is, what marker must be found, on which page."""

    name: str
    marker: str
    page: int | None = None
    title: str | None = None


MARKERS = {
    "txt": "HELIOTROPE-LANTERN",
    "md": "OBSIDIAN-MARMALADE",
    "html": "PERIWINKLE-ANVIL",
    "csv": "SAFFRON-TELESCOPE",
    "tsv": "CINNABAR-HARBOUR",
    "pdf": "TANGERINE-GLACIER",
    "docx": "VERMILION-ORCHARD",
    "odt": "CERULEAN-THIMBLE",
    "rtf": "MAGENTA-LIGHTHOUSE",
    "epub": "JUNIPER-CATHEDRAL",
    "eml": "AMBER-WATERFALL",
    "py": "OCHRE-PENDULUM",
    "utf16": "SEPIA-CAROUSEL",
    "cp1252": "INDIGO-MEADOW",
    "latin1": "SCARLET-COMPASS",
    "utf32": "UMBER-KESTREL",
}

PROSE = (
    "The committee met on a wet Thursday to review the harbour renovation budget. "
    "Mara presented three options for the sea wall, each with a different maintenance schedule, "
    "and the group agreed to ask the engineers for a revised estimate before the spring deadline."
)


def build_corpus(dest: Path) -> list[Doc]:
    """Write one realistic file per format (and several encodings) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    docs: list[Doc] = []

    def put(name: str, data: bytes, doc: Doc) -> None:
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        docs.append(doc)

    m = MARKERS
    put("notes/meeting.txt", (f"Meeting notes\n\n{PROSE}\n\nAction: {m['txt']} follow-up with Priya.\n").encode(),
        Doc("notes/meeting.txt", m["txt"]))
    put("notes/plan.md", (f"---\ntitle: Garden plan\n---\n# Garden plan\n\n{PROSE}\n\n## Tomatoes\n\n"
                          f"Plant the {m['md']} seedlings in May.\n\n```\n# not a heading\n```\n").encode(),
        Doc("notes/plan.md", m["md"], title="Garden plan"))
    put("web/article.html", (f"<!doctype html><html><head><title>Harbour news</title><script>var x='{m['html']}x';"
                             f"</script></head><body><nav>Home | About</nav><h1>Harbour news</h1><p>{PROSE}</p>"
                             f"<h2>Update</h2><p>The {m['html']} crane arrives on Monday.</p></body></html>").encode(),
        Doc("web/article.html", m["html"], title="Harbour news"))
    put("data/contacts.csv", ("Name,Email,City,Note\nAnn Berg,ann@example.org,Köln,met at fair\n"
                              f"Bob Ito,bob@example.org,Osaka,{m['csv']} supplier\n").encode(),
        Doc("data/contacts.csv", m["csv"]))
    put("data/inventory.tsv", f"Item\tCount\tShelf\nbolts\t120\tA3\n{m['tsv']} lens\t2\tC1\n".encode(),
        Doc("data/inventory.tsv", m["tsv"]))
    put("docs/report.pdf", make_pdf([PROSE, f"Second page mentions {m['pdf']} twice: {m['pdf']}.", None],
                                    title="Annual report", author="Mara Lindqvist"),
        Doc("docs/report.pdf", m["pdf"], page=2, title="Annual report"))
    put("docs/proposal.docx", make_docx("Proposal", [PROSE, f"The {m['docx']} budget is approved.", PROSE, PROSE],
                                        table=[["Name", "Role"], ["Ines", "Lead"]],
                                        header="Confidential draft", footer="Page footer text"),
        Doc("docs/proposal.docx", m["docx"], title="Proposal"))
    put("docs/minutes.odt", make_odt("Minutes", [PROSE, f"Decision: {m['odt']} goes ahead.", PROSE, PROSE],
                                     table=[["Who", "What"], ["Ben", "Catering"]]),
        Doc("docs/minutes.odt", m["odt"], title="Minutes"))
    put("docs/letter.rtf", make_rtf(["Dear Ms Lindqvist,", PROSE, f"Reference {m['rtf']} — café “quoted”."]),
        Doc("docs/letter.rtf", m["rtf"]))
    put("books/novel.epub", make_epub("The Lighthouse Keeper", [
        ("Chapter One", PROSE), ("Chapter Two", f"She found the {m['epub']} map.\n\n{PROSE}")]),
        Doc("books/novel.epub", m["epub"], title="The Lighthouse Keeper"))
    put("mail/offer.eml", make_eml("Offer for the sea wall", f"Hi Mara,\n\n{PROSE}\n\nCode {m['eml']}.\n\nLukas",
                                   attachments=[("quote.pdf", make_pdf(["Quote"]), "application/pdf")]),
        Doc("mail/offer.eml", m["eml"], title="Offer for the sea wall"))
    put("code/tool.py", (f'"""Helper script."""\n\n\ndef main() -> None:\n    print("{m["py"]}")\n').encode(),
        Doc("code/tool.py", m["py"]))
    put("enc/utf16.txt", f"Wide text {m['utf16']} with Grüße.\n".encode("utf-16"), Doc("enc/utf16.txt", m["utf16"]))
    put("enc/utf32-nobom.txt", f"Very wide {m['utf32']} text.\n".encode("utf-32-le"),
        Doc("enc/utf32-nobom.txt", m["utf32"]))
    put("enc/windows.txt", f"Smart “quotes” cost 5 € — {m['cp1252']} façade.\n".encode("cp1252"),
        Doc("enc/windows.txt", m["cp1252"]))
    put("enc/latin1.txt", f"Crème brûlée à la {m['latin1']}, très bien.\n".encode("latin-1"),
        Doc("enc/latin1.txt", m["latin1"]))
    return docs

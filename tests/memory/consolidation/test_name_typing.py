"""What kind a name is, on a real encrypted vault: a site named by the captures' own window titles is an app,
not a place; "in X" makes a place only when something confirms it (a street shape, a gazetteer city, a map
the user looked at); a word OCR cut at a stray symbol is no name at all; a book's title is a title, not a topic.
None of these names are the demo's."""

from __future__ import annotations

from core.memory.consolidation.consolidate import consolidate
from core.memory.consolidation.types import ConsolidationOptions
from core.memory.extraction.apps import map_page, site_name
from core.types import Record
from tests.memory.helpers import at, chat, doc


def _screen(ext: str, title: str, app: str, text: str, minutes: float) -> Record:
    return Record(source="screen:x11", external_id=ext, kind="screenshot", timestamp=at(minutes=minutes), text=text,
                  title=title, meta={"app": app, "window_title": title})


def _kinds(vault) -> dict[str, str]:
    rows = vault.read().execute(
        "SELECT name, kind FROM mem_entities WHERE merged_into IS NULL AND deleted = 0").fetchall()
    return dict(rows)


def _consolidate(vault) -> dict[str, str]:
    consolidate(vault, options=ConsolidationOptions(phone_region="DE", summaries=False, self_names=("Ines Moreau",)))
    return _kinds(vault)


def test_a_site_the_captures_name_is_an_app_and_in_x_needs_a_confirmation(lexical_vault) -> None:
    lexical_vault.ingest([
        chat("c1", "The roadmap is in Notion under Planning, ask Tomasz", "Ravi", at(minutes=1)),
        chat("c2", "Moved the tickets to Quillmark, it has better boards", "Ravi", at(minutes=2)),
        chat("c3", "We could meet in Zurich, or at Kaffeehaus Ritter near Oranienplatz", "Ravi", at(minutes=3)),
        _screen("s1", "Q3 plan — Planning — Notion — Mozilla Firefox", "firefox", "Q3 plan\nOwner Ravi", 4),
        _screen("s2", "Kaffeehaus Ritter Basel — Google Maps — Mozilla Firefox", "firefox",
                "Kaffeehaus Ritter Basel\nOpen until 18:00", 5),
    ], embed=False)
    kinds = _consolidate(lexical_vault)
    assert kinds.get("Notion") == "app"  # "… — Notion — Mozilla Firefox": a site, though "in Notion"
    assert kinds.get("Quillmark") == "topic"  # "to Quillmark": nothing says it is a place
    assert kinds.get("Zurich") == "place"  # a gazetteer city
    assert kinds.get("Oranienplatz") == "place"  # a square by its shape
    assert kinds.get("Kaffeehaus Ritter") == "place"  # the user looked it up on a map


def test_a_word_cut_by_a_stray_symbol_is_no_name(lexical_vault) -> None:
    lexical_vault.ingest([
        doc("/scans/pickup.txt", "Your parcel waits at Torstra&e 118 from Monday.\nCollect it at Kastanien#llee 3.",
            at(minutes=1)),
    ], embed=False)
    kinds = _consolidate(lexical_vault)
    assert not [name for name in kinds if name.startswith(("Torstra", "Kastanien"))], kinds


def test_book_titles_are_titles_not_topics(lexical_vault) -> None:
    lexical_vault.ingest([
        chat("c1", "Since you asked: 'Stoner' by John Williams, you will love it", "Ravi", at(minutes=1)),
        doc("/notes/books.md", "# To read\n- Middlemarch — George Eliot\n- The Left Hand of Darkness — U. K. Le Guin"
            " (for Tomasz)\n", at(minutes=2)),
    ], embed=False)
    kinds = _consolidate(lexical_vault)
    assert kinds.get("Stoner") == "work"
    assert kinds.get("Middlemarch") == "work"
    assert kinds.get("The Left Hand of Darkness") == "work"  # a title keeps its article
    assert kinds.get("George Eliot") == "person" and kinds.get("John Williams") == "person"


def test_window_titles_give_sites_and_map_pages() -> None:
    assert site_name("Sprint 12 — Board — Linear — Google Chrome", "google-chrome") == "Linear"
    assert site_name("notes.md — dotfiles — Visual Studio Code", "code") is None  # a folder, not a site
    assert site_name("Inbox — Mozilla Firefox", "firefox") is None  # too short to tell page from site
    assert map_page("Café Einstein — Google Maps — Mozilla Firefox") == "Café Einstein"
    assert map_page("Café Einstein — Mozilla Firefox") is None


def test_an_address_on_a_map_is_the_places_not_the_users(lexical_vault) -> None:
    """Autofill must not offer a café's address as home: a labelled address on a map page belongs to the place."""
    from core.memory.knowledge.facts import facts_about

    lexical_vault.ingest([
        _screen("m1", "Café Einstein Stammhaus — Google Maps — Mozilla Firefox", "firefox",
                "Café Einstein Stammhaus\nAddress: Kurfürstenstraße 58, 10785 Berlin\nOpens: 08:00", 1),
        _screen("f1", "Delivery details — Shop — Mozilla Firefox", "firefox",
                "Delivery details\nAddress: Wrangelstraße 12, 10997 Berlin", 2),
    ], embed=False)
    _consolidate(lexical_vault)
    conn = lexical_vault.read()
    me = conn.execute("SELECT id FROM mem_entities WHERE is_self = 1").fetchone()[0]
    mine = {f.value for f in facts_about(conn, int(me)) if f.predicate == "address"}
    assert not [v for v in mine if "Kurfürsten" in v], mine
    assert [v for v in mine if "Wrangel" in v]  # a form's labelled address may still be the user's
    cafe = conn.execute("SELECT id FROM mem_entities WHERE name = 'Café Einstein Stammhaus'").fetchone()
    assert cafe is not None and cafe[0] != me
    assert [f.value for f in facts_about(conn, int(cafe[0])) if "Kurfürsten" in f.value]


def test_the_gazetteer_reads_phonenumbers_data_without_importing_it() -> None:
    """Importing phonenumbers' area-code data costs ~100 MB in the daemon; the gazetteer reads it as text."""
    import subprocess
    import sys

    code = ("import sys; from core.memory.extraction.places import gazetteer; g = gazetteer();"
            " print(all(w in g for w in ('lyon', 'grenoble', 'leipzig', 'germany', 'zurich')),"
            " 'phonenumbers.geodata' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.split() == ["True", "False"], out.stdout + out.stderr

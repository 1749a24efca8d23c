"""Ignore rules on a real file system: folders, hidden files, .cairnignore, links, sizes, odd names."""

from __future__ import annotations

import os
from pathlib import Path

from core.capture.files.ignore import Candidate, IgnoreOptions, IgnoreRules, Skipped


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _walk(root: Path, **options: object) -> tuple[set[str], dict[str, str]]:
    rules = IgnoreRules(root, IgnoreOptions(**options))  # type: ignore[arg-type]
    found: set[str] = set()
    skipped: dict[str, str] = {}
    for item in rules.walk():
        rel = os.fsdecode(item.path.relative_to(root))
        if isinstance(item, Candidate):
            found.add(rel)
        else:
            skipped[rel] = item.reason
    return found, skipped


def test_default_rules(tmp_path: Path) -> None:
    _tree(tmp_path, {
        "notes/a.md": "a", "notes/.hidden.md": "h", ".config/x.txt": "c", ".git/HEAD": "ref",
        "proj/node_modules/pkg/index.js": "js", "proj/src/main.py": "py", "proj/__pycache__/m.pyc": "b",
        "myenv/pyvenv.cfg": "home = /usr", "myenv/lib/site.py": "s", "cachey/CACHEDIR.TAG": "Signature",
        "cachey/blob.txt": "x", "draft.docx.swp": "s", "~$report.docx": "lock", "notes/b.md~": "bak",
        "dl/movie.mp4.part": "p",
    })
    found, skipped = _walk(tmp_path)
    assert found == {"notes/a.md", "proj/src/main.py"}
    assert skipped[".git"] == "ignored folder (.git)"
    assert skipped["proj/node_modules"] == "ignored folder (node_modules)"
    assert skipped["myenv"] == "ignored folder (virtualenv)"
    assert skipped["cachey"].startswith("ignored folder (cache")
    assert skipped[".config"] == "hidden folder"
    assert skipped["notes/.hidden.md"] == "hidden file"
    assert skipped["draft.docx.swp"] == skipped["~$report.docx"] == "temporary or lock file"


def test_hidden_files_when_asked(tmp_path: Path) -> None:
    _tree(tmp_path, {".notes/todo.md": "t", ".profile": "p", ".git/config": "c"})
    found, _ = _walk(tmp_path, include_hidden=True)
    assert found == {".notes/todo.md", ".profile"}


def test_cairnignore_nested_with_negation(tmp_path: Path) -> None:
    _tree(tmp_path, {
        ".cairnignore": "*.log\nbuild/\nsecret/**\n!keep.log\n",
        "a.log": "x", "keep.log": "k", "build/out.txt": "o", "secret/deep/pw.txt": "p", "doc.txt": "d",
        "sub/.cairnignore": "*.txt\n!important.txt\n", "sub/x.txt": "x", "sub/important.txt": "i",
        "sub/y.md": "y", "sub/z.log": "z",
    })
    found, skipped = _walk(tmp_path)
    assert found == {"keep.log", "doc.txt", "sub/important.txt", "sub/y.md"}
    assert skipped["build"] == "matched by .cairnignore"
    assert skipped["sub/x.txt"] == "matched by .cairnignore"


def test_extra_patterns_from_settings(tmp_path: Path) -> None:
    _tree(tmp_path, {"a.txt": "a", "tmp/b.txt": "b"})
    found, _ = _walk(tmp_path, extra_patterns=("tmp/",))
    assert found == {"a.txt"}


def test_two_gigabyte_sparse_file_is_over_the_cap_without_reading(tmp_path: Path) -> None:
    big = tmp_path / "disk.img.txt"
    with open(big, "wb") as fh:
        fh.truncate(2 * 1024**3)
    (tmp_path / "small.txt").write_text("ok")
    found, skipped = _walk(tmp_path)
    assert found == {"small.txt"}
    assert skipped["disk.img.txt"] == "2 GB is over the 50 MB size cap"


def test_symlink_loops_and_dangling_links(tmp_path: Path) -> None:
    _tree(tmp_path, {"docs/a.txt": "a"})
    os.symlink("loop-b", tmp_path / "loop-a")
    os.symlink("loop-a", tmp_path / "loop-b")
    os.symlink("nowhere.txt", tmp_path / "dangling.txt")
    os.symlink(".", tmp_path / "docs" / "self")
    os.symlink("docs/a.txt", tmp_path / "link-to-a.txt")
    found, skipped = _walk(tmp_path)
    assert found == {"docs/a.txt", "link-to-a.txt"}
    assert "loop" in skipped["loop-a"] and "loop" in skipped["loop-b"]
    assert skipped["dangling.txt"] == "dangling symbolic link"
    assert skipped["docs/self"] == "symbolic link to a folder (not followed)"

    found, skipped = _walk(tmp_path, follow_symlinks=True)
    assert found == {"docs/a.txt", "link-to-a.txt"}
    assert skipped["docs/self"].startswith("symbolic link loop")


def test_linked_folder_followed_once(tmp_path: Path) -> None:
    _tree(tmp_path, {"real/x.txt": "x"})
    os.symlink("real", tmp_path / "alias")
    found, _ = _walk(tmp_path, follow_symlinks=True)
    assert found == {"real/x.txt", "alias/x.txt"}


def test_fifo_is_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    found, skipped = _walk(tmp_path)
    assert found == set()
    assert skipped["pipe.txt"].startswith("not a regular file")


def test_invalid_utf8_names(tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/caf\xe9-\xff.txt"
    with open(raw, "wb") as fh:
        fh.write(b"latin-1 named file")
    os.mkdir(os.fsencode(tmp_path) + b"/dir-\xfe")
    with open(os.fsencode(tmp_path) + b"/dir-\xfe/inner.txt", "wb") as fh:
        fh.write(b"inner")
    found, _ = _walk(tmp_path)
    assert {os.fsencode(name) for name in found} == {b"caf\xe9-\xff.txt", b"dir-\xfe/inner.txt"}


def test_check_one_path_applies_ancestor_rules(tmp_path: Path) -> None:
    _tree(tmp_path, {"a/node_modules/x.js": "x", "a/ok.txt": "ok", ".cairnignore": "private/\n",
                     "private/p.txt": "p", "venv/pyvenv.cfg": "", "venv/lib/m.py": "m"})
    rules = IgnoreRules(tmp_path)
    assert isinstance(rules.check(tmp_path / "a/ok.txt"), Candidate)
    for rel in ("a/node_modules/x.js", "private/p.txt", "venv/lib/m.py"):
        judged = rules.check(tmp_path / rel)
        assert isinstance(judged, Skipped) and judged.by_rule, rel
    outside = rules.check(tmp_path.parent / "elsewhere.txt")
    assert isinstance(outside, Skipped) and outside.reason == "outside the watched folder"

"""The core stays Qt-free and import-cheap."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "ui")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_source_never_imports_qt_or_ui() -> None:
    offenders = {
        str(p.relative_to(ROOT)): sorted(_imports(p) & set(FORBIDDEN)) for p in (ROOT / "core").rglob("*.py")
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert offenders == {}


def test_importing_every_core_module_loads_no_qt() -> None:
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in (ROOT / "core").rglob("*.py")
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'PyQt5', 'PyQt6', 'shiboken6', 'ui')]\n"
        "print(','.join(bad))\n"
    )
    assert _printed_by(code, timeout=120) == ""


def test_cli_import_does_no_heavy_work() -> None:
    """`import app.cli` must not pull numpy models, llama.cpp, onnxruntime or Qt."""
    code = (
        "import sys, app.cli\n"
        "heavy = [m for m in ('llama_cpp', 'onnxruntime', 'PySide6', 'tokenizers', 'tesserocr') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    assert _printed_by(code, timeout=60) == ""


def _printed_by(code: str, timeout: float) -> str:
    """What a fresh interpreter running ``code`` in the project prints (it must not fail)."""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_import_contracts_hold() -> None:
    """The import-linter contracts in pyproject.toml: core Qt-free, app above ui above core, the core floors."""
    code = "from importlinter.cli import lint_imports\nraise SystemExit(lint_imports(no_cache=True))\n"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles() -> None:
    """No two modules import each other, directly or round a circle (imports inside functions count)."""
    import grimp

    graph = grimp.build_graph("core", "ui", "app", "bench", "tools", cache_dir=None)
    edges = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    assert _cycles(edges) == []


def test_cycle_finder_finds_a_circle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


# Modules over ~450 lines, each with the reason it stays whole.
LONG_MODULES: dict[str, str] = {}  # path -> why it may stay over MAX_LINES (none today)
MAX_LINES = 450


def test_modules_stay_small_or_say_why() -> None:
    sizes = {str(p.relative_to(ROOT)): len(p.read_text("utf-8").splitlines())
             for top in ("core", "ui", "app", "bench", "tools") for p in (ROOT / top).rglob("*.py")}
    too_long = sorted(path for path, n in sizes.items() if n > MAX_LINES and path not in LONG_MODULES)
    assert too_long == []
    assert all(path in sizes for path in LONG_MODULES), "a listed module moved or went: update LONG_MODULES"
    assert all(sizes[path] > MAX_LINES for path in LONG_MODULES), "a listed module is small now: unlist it"


def test_every_module_opens_with_its_docstring() -> None:
    missing = []
    for top in ("core", "ui", "app", "bench", "tools"):
        for path in (ROOT / top).rglob("*.py"):
            source = path.read_text("utf-8")
            if source.strip() and not ast.get_docstring(ast.parse(source)):
                missing.append(str(path.relative_to(ROOT)))
    assert missing == []

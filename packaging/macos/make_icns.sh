#!/usr/bin/env bash
# cairn.icns from the hicolor PNGs (UNVERIFIED; macOS only: iconutil).
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=$(mktemp -d)
python3 packaging/linux/icons.py "$WORK/hicolor" >/dev/null
SET="$WORK/cairn.iconset"
mkdir -p "$SET"
for s in 16 32 128 256 512; do cp "$WORK/hicolor/${s}x${s}/apps/cairn.png" "$SET/icon_${s}x${s}.png"; done
for s in 16 32 128 256; do d=$((s * 2)); cp "$WORK/hicolor/${d}x${d}/apps/cairn.png" "$SET/icon_${s}x${s}@2x.png" 2>/dev/null || true; done
iconutil -c icns "$SET" -o packaging/macos/cairn.icns
rm -rf "$WORK"

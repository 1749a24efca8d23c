#!/usr/bin/env bash
# Make Cairn-<version>.dmg from dist/Cairn.app (UNVERIFIED: written on Linux, never run; see packaging/README.md).
# Needs macOS (hdiutil, iconutil, codesign).  With CAIRN_CODESIGN_IDENTITY and CAIRN_NOTARY_PROFILE set, the app is
# signed with the hardened runtime and the .dmg notarised; without them the .dmg is unsigned (Gatekeeper warns).
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=$(python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
APP=dist/Cairn.app
[ -d "$APP" ] || { echo "build $APP first: pyinstaller --noconfirm packaging/macos/cairn.spec" >&2; exit 1; }
if [ -n "${CAIRN_CODESIGN_IDENTITY:-}" ]; then
  codesign --force --deep --options runtime --timestamp --entitlements packaging/macos/entitlements.plist \
    --sign "$CAIRN_CODESIGN_IDENTITY" "$APP"
fi
STAGE=$(mktemp -d)
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
DMG="dist/Cairn-$VERSION.dmg"
rm -f "$DMG"
hdiutil create -volname "Cairn $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO -imagekey zlib-level=9 "$DMG"
rm -rf "$STAGE"
if [ -n "${CAIRN_NOTARY_PROFILE:-}" ]; then
  xcrun notarytool submit "$DMG" --keychain-profile "$CAIRN_NOTARY_PROFILE" --wait
  xcrun stapler staple "$DMG"
fi
du -h "$DMG"

#!/usr/bin/env bash
# Vendors axe-core's axe.min.js into tests/e2e/vendor for the accessibility checks. Run when upgrading and
# commit the output, so that the browser tests never need npm.
set -euo pipefail
VERSION="${1:-4.14.1}"; DEST="${2:-tests/e2e/vendor}"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
( cd "$TMP" && npm pack --silent "axe-core@${VERSION}" >/dev/null && tar xzf axe-core-*.tgz )
mkdir -p "$DEST"
cp "$TMP/package/axe.min.js" "$DEST/"
cp "$TMP/package/LICENSE" "$DEST/AXE_LICENSE"
echo "$VERSION" > "$DEST/AXE_CORE_VERSION"

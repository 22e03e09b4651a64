#!/usr/bin/env bash
# Vendors the built GOV.UK Frontend assets into app/static. Run when upgrading and commit the output,
# so that installing, testing and running the tracker never needs npm.
set -euo pipefail
VERSION="${1:-6.3.0}"; DEST="${2:-app/static}"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
( cd "$TMP" && npm pack --silent "govuk-frontend@${VERSION}" >/dev/null && tar xzf govuk-frontend-*.tgz )
SRC="$TMP/package/dist/govuk"; mkdir -p "$DEST"
cp "$SRC/govuk-frontend.min.css" "$SRC/govuk-frontend.min.js" "$DEST/"
cp -r "$SRC/assets/." "$DEST/"
# Not a GOV.UK service: drop the crown favicons, touch icons and web manifest (base.html links our own icon).
rm -f "$DEST"/images/favicon.* "$DEST"/images/govuk-icon-* "$DEST"/images/govuk-opengraph-image.png "$DEST/manifest.json"
echo "$VERSION" > "$DEST/GOVUK_FRONTEND_VERSION"

#!/usr/bin/env bash
# Vendor the desk's QR decoder from the npm registry: the pinned version's built file and
# its licence, nothing else. Run from anywhere; commit what it writes. To upgrade, change
# the version here, run it, and test the desk (tests/browser/test_checkin_desk.py).
#
#   jsQR (npm "jsqr"), Apache-2.0: plain JavaScript, no WebAssembly, so the desk needs no
#   'wasm-unsafe-eval' in its Content-Security-Policy.
set -euo pipefail
cd "$(dirname "$0")"

vendor() {  # vendor <package> <version> <file in the package> <directory here>
  local package=$1 version=$2 file=$3 target=$4 work
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  (cd "$work" && npm pack --silent "$package@$version" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work"
  mkdir -p "$target"
  cp "$work/package/$file" "$target/"
  cp "$work/package/LICENSE" "$target/LICENSE"
  printf '%s@%s from the npm registry, %s (static/vendor/update.sh)\n' \
    "$package" "$version" "$(basename "$file")" >"$target/VERSION"
}

vendor jsqr 1.4.0 dist/jsQR.js jsqr

#!/usr/bin/env bash
# Debian packages the local stack and the tests need: Chromium (browser tests),
# coturn (the local TURN server), poppler-utils (pdfsig, pdftotext).
# Installs what is missing when run as root; otherwise says what to install.
set -euo pipefail

declare -A wanted=([chromium]=chromium [turnserver]=coturn [pdfsig]=poppler-utils)
missing=()
for cmd in "${!wanted[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${wanted[$cmd]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  # coturn's package starts nothing by itself here; the local stack runs its own turnserver.
else
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install ${missing[*]}" >&2
  echo "(browser tests fail without chromium; they are never skipped)" >&2
fi

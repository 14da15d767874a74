#!/usr/bin/env bash
# System packages for the browser tests and readable Chinese in screenshots:
#   chromium        headless browser driven by Playwright (tests/test_ui_browser.py)
#   fonts-noto-cjk  Noto Sans/Serif CJK, so Chinese renders as text and not as boxes
#   fonts-noto-color-emoji  the 👍/👎 feedback buttons (otherwise boxes in headless screenshots)
# Idempotent: installs only what is missing (one `apt-get update`), a no-op otherwise.
set -euo pipefail

PACKAGES=(chromium fonts-noto-cjk fonts-noto-color-emoji)

missing=()
for pkg in "${PACKAGES[@]}"; do
    if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        echo "system-deps: $pkg already installed"
    else
        missing+=("$pkg")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "system-deps: nothing to do"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "system-deps: missing ${missing[*]}; run this script as root (e.g. sudo $0)" >&2
    exit 1
fi

echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
echo "system-deps: installed ${missing[*]}"
if [ -x /usr/bin/chromium ]; then
    echo "system-deps: chromium at /usr/bin/chromium ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown'))"
fi

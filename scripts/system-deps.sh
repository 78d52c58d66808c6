#!/usr/bin/env bash
# Install the Debian packages the tests need, only those missing. Idempotent; needs root (or sudo).
#   chromium          browser tests (Playwright drives /usr/bin/chromium; no browser download)
#   fonts-noto-cjk    Chinese glyphs in screenshots and in LibreOffice
#   libreoffice-calc  opens the Excel appendix in the workbook tests
set -euo pipefail
packages=(chromium fonts-noto-cjk libreoffice-calc)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "Installing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

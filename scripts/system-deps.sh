#!/bin/sh
# Installs the Debian/Ubuntu packages the app needs when they are missing:
# pango + harfbuzz-subset for WeasyPrint, a Japanese font with a real bold for the PDF,
# and (with "test") Chromium for the browser tests and poppler for PDF text checks.
set -e
packages="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk"
if [ "$1" = "test" ]; then
  packages="$packages chromium poppler-utils"
fi
missing=""
for package in $packages; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing="$missing $package"
done
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "必要なシステムパッケージがありません:$missing (Debian/Ubuntu の apt-get で入れてください)" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "root 権限で次を実行してください: apt-get install$missing" >&2; exit 1
  fi
fi
echo "システムパッケージを入れます:$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null

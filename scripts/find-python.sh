#!/bin/sh
# Prints the newest Python >= 3.12 on this machine (PATH first, then pyenv's versions).
for version in 3.14 3.13 3.12; do
  for candidate in "python$version" "$HOME"/.pyenv/versions/"$version"*/bin/"python$version" \
                   /usr/local/bin/"python$version" /usr/bin/"python$version"; do
    if "$candidate" -c 'import sys, venv; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
      command -v "$candidate" 2>/dev/null || echo "$candidate"
      exit 0
    fi
  done
done
exit 1

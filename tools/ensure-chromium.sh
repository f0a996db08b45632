#!/bin/sh
# Make sure a Chromium exists for the browser tests: CHROME_PATH, else Debian's chromium,
# installed with apt when it is missing and apt is usable. Never skips: fails with a message.
set -eu
if [ -n "${CHROME_PATH:-}" ]; then
  if [ -x "$CHROME_PATH" ]; then exit 0; fi
  echo "CHROME_PATH=$CHROME_PATH is not an executable file." >&2
  exit 1
fi
if [ -x /usr/bin/chromium ]; then exit 0; fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Installing Debian's chromium for the browser tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests (sudo)..."
  sudo apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "The browser tests need Chromium: install Debian's 'chromium' package, or set CHROME_PATH to a Chromium binary." >&2
exit 1

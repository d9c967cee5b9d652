#!/usr/bin/env bash
# Installs what CApiCursorIT needs beyond the JDK: gcc and MariaDB's C client library with its headers
# (libmariadb-dev, which brings mariadb_config) to build src/test/clients/cursor_client.c, and mariadb-test to run
# src/test/clients/cursor.test with --cursor-protocol. Debian packages; idempotent: installs only what is missing.
# Without them the tests skip themselves. Needs root (or sudo) when something is missing.
set -euo pipefail

packages=(gcc libc6-dev libmariadb-dev mariadb-test)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  echo "cursor test dependencies present: ${packages[*]}"
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  sudo=(sudo)
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet.
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null

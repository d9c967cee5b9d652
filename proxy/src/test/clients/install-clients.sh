#!/usr/bin/env bash
# Installs the non-Java clients that ClientMatrixIT drives: the mariadb command line client, Go with
# go-sql-driver/mysql, PHP with mysqli and PDO, Python 3 with PyMySQL and MySQLdb (mysqlclient); and the Prometheus
# Python client, whose parsers MetricsIT reads /metrics with.
# Debian packages only; idempotent: does nothing when everything is present. Needs root.
set -euo pipefail

packages=(mariadb-client golang-go golang-github-go-sql-driver-mysql-dev php-cli php-mysql
  python3-pymysql python3-mysqldb python3-prometheus-client)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "client matrix: all clients installed"
  exit 0
fi
echo "client matrix: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"

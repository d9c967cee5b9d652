#!/usr/bin/env bash
# The client-matrix script for MariaDB's command line client: runs mariadb-cli.sql in batch mode
# and prints its output with the status block cut down to what two correct servers agree on.
# Usage: mariadb-cli.sh HOST PORT USER PASSWORD off|preferred on|off
set -euo pipefail
host=$1 port=$2 user=$3 password=$4 tls=$5 compress=$6

# --ssl without --ssl-verify-server-cert: TLS when the server offers it, no certificate check.
args=(--protocol=tcp -h"$host" -P"$port" -u"$user" -p"$password" --batch --force
  --default-character-set=utf8mb4)
case $tls in
  off) args+=(--skip-ssl) ;;
  preferred) args+=(--ssl) ;;
  *) echo "unsupported tls mode $tls" >&2; exit 2 ;;
esac
if [[ $compress == on ]]; then
  args+=(--compress)
fi

mariadb "${args[@]}" <"$(dirname "$0")/mariadb-cli.sql" 2>&1 | awk '
  /^connection_id$/ { getline id; next }
  /^mariadb +Ver / { status = 1; next }
  status && /^Connection id:/ { print "CONNECTION_ID() equals the client thread id:", ($3 == id ? "yes" : "no"); next }
  status && /^(Current database|Insert id|.*characterset):/ { print; next }
  status && /^Threads:/ { status = 0; next }
  status { next }
  { print }'

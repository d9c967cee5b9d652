#!/usr/bin/env bash
# Berth benchmark harness (issues 4 and 10): every workload runs directly against the server and through Berth,
# and the main ones also through HAProxy (the reference proxy) and through Berth's unix socket, in alternating
# rounds (direct, Berth, HAProxy, Berth unix, direct, ...) so that machine drift cancels; reported as ratios.
#
#   bench/run.sh [--quick] [--only LIST] [--duration S] [--threads LIST] [--reps N]
#                [--rw-threads LIST] [--churn-threads LIST] [--idle N] [--active N] [--pool N]
#                [--tx-threads LIST] [--tx-rw-threads LIST] [--tx-pool N]
#
#   --quick            4 tables x 10k rows, 5 s per run, 1 round per workload (about 4 minutes)
#   --only LIST        run only these workloads, comma-separated, of: point_select, read_write, churn, many,
#                      tx_point_select, tx_read_write, tx_prepare (e.g. --only point_select,churn for an A/B)
#   --transport NAME   Berth's --transport: auto (default), io_uring, epoll or nio
#   --profile          sample Berth's CPU with async-profiler (from Maven Central) for as long as each Berth runs,
#                      and draw each profile as a flame graph, raw/<stamp>/berth-N.svg (the sampling costs a few
#                      per cent: take figures from a run without it)
#   --duration S       seconds per run (default 15; quick 5)
#   --threads LIST     client threads for oltp_point_select, comma-separated (default 16,64)
#   --reps N           rounds per workload (default 2; quick 1)
#   --rw-threads LIST  client threads for oltp_read_write (default 16)
#   --churn-threads LIST  threads for connection churn (default 1,8)
#   --idle N / --active N / --pool N   many-clients workload (default 2000 idle, 64 active, pool of 32)
#   --tx-threads LIST  transaction pool mode: point select threads (default 64,256); the go-style
#                      prepare/execute/close workload runs at the first of them
#   --tx-rw-threads LIST  transaction pool mode: read/write threads (default 64)
#   --tx-pool N        transaction pool mode: Berth's --max-open-conns (default 16)
#
# Modes of a run: D direct, B Berth over TCP, H HAProxy (mode tcp), U Berth over its unix socket. Point select,
# read/write and churn run all four; many clients and the transaction-mode workloads run D and B.
#
# Needs: root (or sudo-less apt) to install sysbench and haproxy when missing, a MariaDB/MySQL server on
# 127.0.0.1:3306 whose root can log in over the unix socket without a password (override with
# ADMIN_SQL="mysql -u... -p..."). Ports: BERTH_PORT (6033), HAPROXY_PORT (6034), Berth's /metrics
# BERTH_HTTP_PORT (6035); Berth's unix socket:
# BERTH_SOCKET (/tmp/berth-bench.<pid>.sock). All traffic stays on the machine. Writes bench/results/latest.md
# and bench/results/<UTC stamp>.md; raw sysbench output goes to bench/results/raw/<stamp>/ (not committed).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HARNESS=$ROOT/bench/harness
JAR=$ROOT/proxy/target/berth.jar

ARGS="$*"
QUICK=0
DURATION=""
REPS=""
PS_THREADS=16,64
RW_THREADS=16
CHURN_THREADS=1,8
IDLE=2000
ACTIVE=64
POOL=32
TX_THREADS=64,256
TX_RW_THREADS=64
TX_POOL=16
ONLY=""
BERTH_TRANSPORT=auto
PROFILE=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --only) ONLY=$2; shift ;;
    --transport) BERTH_TRANSPORT=$2; shift ;;
    --profile) PROFILE=1 ;;
    --duration) DURATION=$2; shift ;;
    --threads) PS_THREADS=$2; shift ;;
    --reps) REPS=$2; shift ;;
    --rw-threads) RW_THREADS=$2; shift ;;
    --churn-threads) CHURN_THREADS=$2; shift ;;
    --idle) IDLE=$2; shift ;;
    --active) ACTIVE=$2; shift ;;
    --pool) POOL=$2; shift ;;
    --tx-threads) TX_THREADS=$2; shift ;;
    --tx-rw-threads) TX_RW_THREADS=$2; shift ;;
    --tx-pool) TX_POOL=$2; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [[ $QUICK == 1 ]]; then
  DURATION=${DURATION:-5}; REPS=${REPS:-1}; TABLE_SIZE=10000; WARMUP=3; LABEL=quick
else
  DURATION=${DURATION:-15}; REPS=${REPS:-2}; TABLE_SIZE=100000; WARMUP=8; LABEL=full
fi
TABLES=4
KINDS=" point_select read_write churn many tx_point_select tx_read_write tx_prepare "
for k in ${ONLY//,/ }; do
  [[ $KINDS == *" $k "* ]] || { echo "--only: unknown workload $k (one of:$KINDS)" >&2; exit 2; }
done
# want KIND...: whether --only (or its absence) asks for any of these workloads
want() {
  local k
  for k; do [[ -z $ONLY || ,$ONLY, == *,$k,* ]] && return 0; done
  return 1
}
# The modes of the workloads that compare Berth with HAProxy and with its unix socket (see the header).
COMPARE=DBHU
BERTH_PORT=${BERTH_PORT:-6033}
BERTH_SOCKET=${BERTH_SOCKET:-/tmp/berth-bench.$$.sock}
HAPROXY_PORT=${HAPROXY_PORT:-6034}
BERTH_HTTP_PORT=${BERTH_HTTP_PORT:-6035}
# HAProxy gets as many threads as Berth has event loops: Berth runs one per two cores, so one under
# -XX:ActiveProcessorCount=2 below. HAProxy's own default (a thread per core) would let the reference spread over
# both cores where Berth cannot, and one thread wakes up less often per query: Berth measured a quarter less CPU
# per query with one loop than with two on these 2 cores, and HAProxy should get the same advantage.
HAPROXY_THREADS=${HAPROXY_THREADS:-1}
# Kept from Berth: it refuses a BERTH_* variable that matches no flag, as one set by the caller would be passed on.
export -n BERTH_PORT BERTH_SOCKET BERTH_PID BERTH_N BERTH_MODE BERTH_TRANSPORT
DB_PORT=3306
SB_USER=sbtest
SB_PASS=sbtest
# Berth logs in to the backend as its own account, so its backend connects can be counted per user
# (information_schema.USER_STATISTICS) even when other programs use the same server meanwhile.
BK_USER=berthbk
BK_PASS=berthbk
ADMIN_SQL=${ADMIN_SQL:-mariadb -uroot --protocol=socket}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=$ROOT/bench/results
RAW=$RESULTS/raw/$STAMP
mkdir -p "$RAW"
CLK_TCK=$(getconf CLK_TCK)

# Production JVM configuration for Berth as a 2-core sidecar (see docs/BENCHMARKS.md):
JVM_FLAGS=(
  # Serial GC: on 2 cores a parallel or concurrent collector only adds GC threads that compete with Berth's two
  # event loops (and the application next to it); with a small heap whose garbage is nearly all short-lived
  # buffers and promises, young collections take about a millisecond. It is also the smallest-footprint GC.
  -XX:+UseSerialGC
  # Fixed, small heap: no resizing, and a container memory limit can be set from -Xmx + direct + ~60 MB.
  -Xms256m -Xmx256m
  # Touch the heap at start: no page-fault stalls on first traffic, and RSS is flat from the first second (so
  # the memory limit is hit at start, not under load). Because of this, RSS deltas measure only memory
  # outside the heap; the harness therefore also reports the retained-heap delta after a full GC.
  -XX:+AlwaysPreTouch
  # Netty's pooled direct buffers live here; bound them so a burst can't take the sidecar past its limit.
  -XX:MaxDirectMemorySize=128m
  # Size thread pools (Netty event loops, JIT, GC) for a 2-core sidecar even on a larger host.
  -XX:ActiveProcessorCount=2
  # A sidecar that ran out of memory is restarted by its orchestrator, not left limping.
  -XX:+ExitOnOutOfMemoryError
)

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# async-profiler's agent for --profile: its jar from Maven Central holds the native library.
ASYNC_PROFILER_VERSION=4.2
async_profiler_lib() {
  local jar=$HOME/.m2/repository/tools/profiler/async-profiler/$ASYNC_PROFILER_VERSION/async-profiler-$ASYNC_PROFILER_VERSION.jar
  local lib=$RESULTS/raw/libasyncProfiler-$ASYNC_PROFILER_VERSION.so
  if [[ ! -f $lib ]]; then
    [[ -f $jar ]] || mvn -B -q dependency:get -Dartifact="tools.profiler:async-profiler:$ASYNC_PROFILER_VERSION" \
      -Dtransitive=false >&2
    unzip -p "$jar" linux-x64/libasyncProfiler.so >"$lib"
  fi
  echo "$lib"
}
sql() { $ADMIN_SQL -N -B -e "$1"; }
# Server-side connection counter; the reading's own connection counts too (subtract 1 per reading).
server_connects() { sql "SHOW GLOBAL STATUS LIKE 'Connections'" | awk '{print $2}'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
listening() { ss -ltnH "( sport = :$1 )" | grep -q .; }
# await_start PID LOG NAME TEST...: wait (up to 20 s) until TEST succeeds, failing at once if PID exits
await_start() {
  local pid=$1 logf=$2 name=$3; shift 3
  for _ in $(seq 100); do
    "$@" && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$logf" >&2; echo "$name did not start" >&2; exit 1; }
    sleep 0.2
  done
  echo "$name did not start within 20 s (log: $logf)" >&2; exit 1
}
# sysbench's connection flags for a mode: D direct, B Berth over TCP, H HAProxy, U Berth's unix socket (sysbench
# leaves the host at localhost then, so the client library takes the socket).
endpoint() {
  case $1 in
    D) echo "--mysql-host=127.0.0.1 --mysql-port=$DB_PORT" ;;
    B) echo "--mysql-host=127.0.0.1 --mysql-port=$BERTH_PORT" ;;
    H) echo "--mysql-host=127.0.0.1 --mysql-port=$HAPROXY_PORT" ;;
    U) echo "--mysql-socket=$BERTH_SOCKET" ;;
  esac
}
rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }
tw_3306() { ss -tanH state time-wait "( dport = :$DB_PORT )" | awk '{print $3, $4}' | sort; }
# Statements the server has prepared so far (all clients).
server_prepares() { sql "SHOW GLOBAL STATUS LIKE 'Com_stmt_prepare'" | awk '{print $2}'; }
# Heap bytes Berth's event loops allocated so far (its /metrics; the scrape runs on another thread).
event_loop_allocation() {
  curl -fsS "http://127.0.0.1:$BERTH_HTTP_PORT/metrics" | awk '/^berth_event_loop_allocated_bytes_total /{printf "%.0f", $2}'
}
# Berth's connections on the server now.
backend_threads() { sql "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '$BK_USER'"; }
# Backend connections Berth has opened so far (its own account's TOTAL_CONNECTIONS).
backend_connects() {
  sql "SELECT COALESCE(SUM(TOTAL_CONNECTIONS), 0) FROM information_schema.USER_STATISTICS WHERE USER = '$BK_USER'"
}
# Processes other than this harness that use CPU now (they share the 2 cores; the report mentions them).
other_load() {
  ps -eo pcpu=,pid=,comm=,args= --sort=-pcpu | awk -v me=$$ -v b="${BERTH_PID:-0}" -v i="${IDLE_PID:-0}" \
    -v h="${HAPROXY_PID:-0}" '$1 >= 5 && $2 != me && $2 != b && $2 != i && $2 != h &&
      $3 !~ /^(ps|awk|sysbench|mariadbd|mysqld)$/ { $2 = ""; print substr($0, 1, 140) }' | head -5
}
# Live heap (KB) after a full collection.
live_heap_kb() {
  jcmd "$1" GC.run >/dev/null
  jcmd "$1" GC.heap_info | awk '/generation/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?/, "", v); s += v } } END { print s }'
}

BERTH_PID=""
HAPROXY_PID=""
IDLE_PID=""
USERSTAT_WAS=""
MAX_CONN_WAS=""
SAMPLER_PID=""
cleanup() {
  local rc=$?
  if [[ -n $USERSTAT_WAS ]]; then sql "SET GLOBAL userstat=$USERSTAT_WAS" || true; fi
  if [[ -n $MAX_CONN_WAS ]]; then sql "SET GLOBAL max_connections=$MAX_CONN_WAS" || true; fi
  if [[ -n $SAMPLER_PID ]]; then kill "$SAMPLER_PID" 2>/dev/null || true; fi
  if [[ -n $IDLE_PID ]]; then kill "$IDLE_PID" 2>/dev/null || true; fi
  exec 9>&- 2>/dev/null || true
  if [[ -n $BERTH_PID ]]; then kill "$BERTH_PID" 2>/dev/null || true; wait "$BERTH_PID" 2>/dev/null || true; fi
  if [[ -n $HAPROXY_PID ]]; then kill "$HAPROXY_PID" 2>/dev/null || true; wait "$HAPROXY_PID" 2>/dev/null || true; fi
  rm -f "$BERTH_SOCKET"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- prerequisites -------------------------------------------------------------------------------------------
apt_need() {  # apt_need COMMAND PACKAGE
  command -v "$1" >/dev/null && return
  log "installing $2"
  if ! apt-get install -y "$2" >/dev/null 2>&1; then
    apt-get update >/dev/null && apt-get install -y "$2" >/dev/null
  fi
}
apt_need sysbench sysbench
if want point_select read_write churn; then apt_need haproxy haproxy; fi
if [[ ! -f $JAR ]]; then
  log "building $JAR"
  (cd "$ROOT" && mvn -q -B install -DskipTests)
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
for p in BERTH_PORT HAPROXY_PORT BERTH_HTTP_PORT; do
  if listening "${!p}"; then echo "port ${!p} is in use; stop whatever listens there or set $p" >&2; exit 1; fi
done

max_of() { tr ',' '\n' <<<"$*" | sort -n | tail -1; }
MAIN_POOL=$(max_of "$PS_THREADS,$RW_THREADS,$CHURN_THREADS")
MAX_CONN=$(sql "SELECT @@max_connections")
# Direct runs need a server thread per client (up to the largest transaction-mode thread count), plus Berth's.
NEED_CONN=$(( $(max_of "$MAIN_POOL,$TX_THREADS,$TX_RW_THREADS,$ACTIVE") + MAIN_POOL + 20 ))
if (( NEED_CONN > MAX_CONN )); then
  MAX_CONN_WAS=$MAX_CONN
  sql "SET GLOBAL max_connections=$NEED_CONN"
  log "max_connections raised from $MAX_CONN to $NEED_CONN for the run (restored at exit)"
fi

log "preparing database sbtest ($TABLES tables x $TABLE_SIZE rows) and user $SB_USER"
sql "CREATE DATABASE IF NOT EXISTS sbtest;
     CREATE USER IF NOT EXISTS '$SB_USER'@'127.0.0.1' IDENTIFIED BY '$SB_PASS';
     CREATE USER IF NOT EXISTS '$SB_USER'@'localhost' IDENTIFIED BY '$SB_PASS';
     GRANT ALL ON sbtest.* TO '$SB_USER'@'127.0.0.1';
     GRANT ALL ON sbtest.* TO '$SB_USER'@'localhost';
     CREATE USER IF NOT EXISTS '$BK_USER'@'127.0.0.1' IDENTIFIED BY '$BK_PASS';
     GRANT ALL ON sbtest.* TO '$BK_USER'@'127.0.0.1';"
# Per-user connection counters (MariaDB's userstat); restored to its old value on exit.
USERSTAT_WAS=$(sql "SELECT @@userstat")
sql "SET GLOBAL userstat=1"
SB_CONN=(--db-driver=mysql --mysql-user=$SB_USER --mysql-password=$SB_PASS --mysql-db=sbtest)
SB_OLTP=(--tables=$TABLES --table-size=$TABLE_SIZE --db-ps-mode=auto)
ready=1
for ((t = 1; t <= TABLES; t++)); do
  n=$(sql "SELECT COUNT(*) FROM sbtest.sbtest$t" 2>/dev/null || echo 0)
  [[ $n == "$TABLE_SIZE" ]] || ready=0
done
if [[ $ready == 0 ]]; then
  sysbench oltp_read_write "${SB_CONN[@]}" $(endpoint D) "${SB_OLTP[@]}" cleanup >/dev/null
  sysbench oltp_read_write "${SB_CONN[@]}" $(endpoint D) "${SB_OLTP[@]}" --threads=$TABLES prepare >/dev/null
fi

# ---- Berth ---------------------------------------------------------------------------------------------------
BERTH_N=0
berth_up() { listening "$BERTH_PORT" && [[ -S $BERTH_SOCKET ]]; }
# start_berth POOL ACQUIRE_TIMEOUT [POOL_MODE]: on BERTH_PORT and on the unix socket BERTH_SOCKET
start_berth() {
  BERTH_N=$((BERTH_N + 1))
  BERTH_MODE=${3:-session}
  rm -f "$BERTH_SOCKET"  # so that berth_up waits for this Berth's socket
  local agent=()
  if [[ $PROFILE == 1 ]]; then
    agent=("-agentpath:$(async_profiler_lib)=start,event=cpu,interval=1ms,collapsed,file=$RAW/berth-$BERTH_N.collapsed")
  fi
  BERTH_BACKEND_PASSWORD=$BK_PASS java "${JVM_FLAGS[@]}" "${agent[@]}" -jar "$JAR" \
    --listen "127.0.0.1:$BERTH_PORT" --listen "unix:$BERTH_SOCKET" --listen-mode 0666 \
    --backend "127.0.0.1:$DB_PORT" --backend-user "$BK_USER" \
    --user "$SB_USER:$SB_PASS" --no-tls --pool-mode "$BERTH_MODE" --transport "$BERTH_TRANSPORT" \
    --max-open-conns "$1" --acquire-timeout "$2" --http-listen "127.0.0.1:$BERTH_HTTP_PORT" \
    >"$RAW/berth-$BERTH_N.log" 2>&1 &
  BERTH_PID=$!
  await_start "$BERTH_PID" "$RAW/berth-$BERTH_N.log" Berth berth_up
  # The start-up line names the transport; it follows the bind by a moment.
  for _ in $(seq 50); do grep -q 'transport [a-z_]*$' "$RAW/berth-$BERTH_N.log" && break; sleep 0.1; done
  TRANSPORT=$(grep -o 'transport [a-z_]*$' "$RAW/berth-$BERTH_N.log" | head -1 | cut -d' ' -f2)
  log "Berth pid $BERTH_PID on :$BERTH_PORT and $BERTH_SOCKET, pool $1 ($BERTH_MODE mode), transport $TRANSPORT"
}
stop_berth() {
  kill "$BERTH_PID"; wait "$BERTH_PID" 2>/dev/null || true; BERTH_PID=""
  # The agent writes its profile as the JVM exits.
  if [[ -s $RAW/berth-$BERTH_N.collapsed ]]; then
    python3 "$HARNESS/flamegraph.py" "$RAW/berth-$BERTH_N.collapsed" "$RAW/berth-$BERTH_N.svg" \
      --title "Berth CPU ($BERTH_MODE mode, transport $TRANSPORT, bench/run.sh $ARGS)"
    log "flame graph: $RAW/berth-$BERTH_N.svg"
  fi
}

# ---- HAProxy, the reference proxy ----------------------------------------------------------------------------
# Debian's haproxy in mode tcp, in the foreground under the harness (-db), so that its PID is the one whose CPU
# counts, as Berth's does.
start_haproxy() {
  # Enough for the largest client count plus the idle clients, should those ever go through it too.
  local maxconn=$((MAIN_POOL + IDLE + 100))
  cat >"$RAW/haproxy.cfg" <<CFG
global
    nbthread $HAPROXY_THREADS
    maxconn $maxconn
defaults
    mode tcp
    timeout connect 5s
    # sysbench holds its connections for a whole run
    timeout client 1h
    timeout server 1h
frontend bench
    bind 127.0.0.1:$HAPROXY_PORT
    default_backend mysql
backend mysql
    # no health check: it would add server connects and CPU that Berth's runs don't have
    server db 127.0.0.1:$DB_PORT
CFG
  haproxy -db -f "$RAW/haproxy.cfg" >"$RAW/haproxy.log" 2>&1 &
  HAPROXY_PID=$!
  await_start "$HAPROXY_PID" "$RAW/haproxy.log" HAProxy listening "$HAPROXY_PORT"
  log "HAProxy pid $HAPROXY_PID on :$HAPROXY_PORT, $HAPROXY_THREADS thread(s), maxconn $maxconn"
}

# ---- one measured run ----------------------------------------------------------------------------------------
# run_one ID MODE(D|B|H|U) REP THREADS SYSBENCH-ARGS...
run_one() {
  local id=$1 mode=$2 rep=$3 threads=$4; shift 4
  local f=$RAW/$id.$mode.$rep rc=0 t0=0 t1=0 a0=0 a1=0 proxy=""
  case $mode in B|U) proxy=$BERTH_PID ;; H) proxy=$HAPROXY_PID ;; esac
  tw_3306 >"$f.tw0"
  local c0 b0 b1 p0 p1; c0=$(server_connects); b0=$(backend_connects); p0=$(server_prepares)
  if [[ -n $proxy ]]; then t0=$(cpu_ticks "$proxy"); fi
  if [[ $mode == [BU] ]]; then
    a0=$(event_loop_allocation)
    # The most backend connections Berth held at once, sampled twice a second.
    (while :; do backend_threads; sleep 0.5; done) >"$f.threads" 2>/dev/null &
    SAMPLER_PID=$!
  fi
  # shellcheck disable=SC2046 # endpoint's flags are meant to split
  sysbench "$@" "${SB_CONN[@]}" $(endpoint "$mode") --threads="$threads" --time="$DURATION" \
    --histogram=on --percentile=95 run >"$f.out" 2>&1 || rc=$?
  if [[ -n $proxy ]]; then t1=$(cpu_ticks "$proxy"); fi
  if [[ $mode == [BU] ]]; then a1=$(event_loop_allocation); fi
  if [[ -n $SAMPLER_PID ]]; then
    kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""
  fi
  local c1; c1=$(server_connects); b1=$(backend_connects); p1=$(server_prepares)
  tw_3306 >"$f.tw1"
  {
    echo "rc=$rc"
    echo "threads=$threads"
    echo "server_connects=$((c1 - c0 - 2))"
    echo "backend_connects=$((b1 - b0))"
    echo "proxy_ticks=$((t1 - t0))"
    echo "event_loop_bytes=$((a1 - a0))"
    echo "server_prepares=$((p1 - p0))"
    echo "backend_peak=$(sort -n "$f.threads" 2>/dev/null | tail -1)"
    echo "tw_after=$(wc -l <"$f.tw1")"
    echo "tw_new=$(comm -13 "$f.tw0" "$f.tw1" | wc -l)"
  } >"$f.meta"
  log "$id $mode#$rep: $(grep -m1 -E 'queries:|FATAL' "$f.out" | tr -s ' ' || true) (rc=$rc)"
  return 0
}
# rounds ID MODES THREADS SYSBENCH-ARGS...: REPS rounds, each running every mode once in turn (with MODES=DBHU:
# D, B, H, U, D, B, H, U, ...), so that drift of the machine falls on all of them alike
rounds() {
  local id=$1 modes=$2 threads=$3 r i; shift 3
  echo "$id" >>"$RAW/workloads"
  for ((r = 1; r <= REPS; r++)); do
    for ((i = 0; i < ${#modes}; i++)); do run_one "$id" "${modes:i:1}" "$r" "$threads" "$@"; done
  done
}
# warm_up MODE THREADS SECONDS SYSBENCH-ARGS...: not measured
warm_up() {
  local mode=$1 threads=$2 secs=$3; shift 3
  # shellcheck disable=SC2046
  sysbench "$@" "${SB_CONN[@]}" $(endpoint "$mode") --threads="$threads" --time="$secs" run >/dev/null
}

{
  echo "label=$LABEL"; echo "stamp=$STAMP"; echo "duration=$DURATION"; echo "reps=$REPS"
  echo "tables=$TABLES"; echo "table_size=$TABLE_SIZE"; echo "clk_tck=$CLK_TCK"
  echo "nproc=$(nproc)"; echo "mem=$(free -g | awk '/^Mem:/{print $2}') GiB"; echo "kernel=$(uname -r)"
  echo "cpu=$(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)"
  echo "java=$(java -version 2>&1 | head -1)"; echo "server=$(sql 'SELECT VERSION()')"
  echo "sysbench=$(sysbench --version)"; echo "jvm_flags=${JVM_FLAGS[*]}"; echo "profiled=$PROFILE"
  echo "command=bench/run.sh $ARGS"
  echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$RAW/env"
other_load >"$RAW/other-load-start"
: >"$RAW/workloads"

# ---- workloads 1-3 on a pool as large as the largest client count (session mode: one backend per client) -----
if want point_select read_write churn; then
  start_haproxy
  echo "haproxy=$(haproxy -v | head -1 | cut -d' ' -f1-3)" >>"$RAW/env"
  echo "haproxy_threads=$HAPROXY_THREADS" >>"$RAW/env"
  start_berth "$MAIN_POOL" 5s
  echo "transport=$TRANSPORT" >>"$RAW/env"
  echo "main_pool=$MAIN_POOL" >>"$RAW/env"
  log "warm-up ($WARMUP s each way, not measured)"
  warm_up D 16 "$WARMUP" oltp_point_select "${SB_OLTP[@]}"
  warm_up H 16 "$WARMUP" oltp_point_select "${SB_OLTP[@]}"
  warm_up B "$MAIN_POOL" "$WARMUP" oltp_point_select "${SB_OLTP[@]}"
  warm_up U 16 "$WARMUP" oltp_point_select "${SB_OLTP[@]}"  # Berth's unix-socket paths get compiled too
  for m in B U; do warm_up $m 2 1 "$HARNESS/churn.lua"; done

  if want point_select; then
    for t in ${PS_THREADS//,/ }; do rounds "point_select.$t" $COMPARE "$t" oltp_point_select "${SB_OLTP[@]}"; done
  fi
  if want read_write; then
    for t in ${RW_THREADS//,/ }; do rounds "read_write.$t" $COMPARE "$t" oltp_read_write "${SB_OLTP[@]}"; done
  fi
  if want churn; then
    for t in ${CHURN_THREADS//,/ }; do rounds "churn.$t" $COMPARE "$t" "$HARNESS/churn.lua"; done
  fi
  stop_berth
fi

# ---- workload 4: many clients --------------------------------------------------------------------------------
if want many; then
  start_berth "$POOL" 5s
  warm_up B "$POOL" "$WARMUP" oltp_point_select "${SB_OLTP[@]}"
  heap0=$(live_heap_kb "$BERTH_PID"); rss0=$(rss_kb "$BERTH_PID"); c0=$(backend_connects)
  mkfifo "$RAW/idle.in"
  java "$HARNESS/IdleClients.java" 127.0.0.1 "$BERTH_PORT" "$SB_USER" "$SB_PASS" "" "$IDLE" <"$RAW/idle.in" >"$RAW/idle.out" 2>&1 &
  IDLE_PID=$!
  exec 9>"$RAW/idle.in"
  for _ in $(seq 600); do
    grep -q READY "$RAW/idle.out" && break
    kill -0 "$IDLE_PID" 2>/dev/null || break
    sleep 0.2
  done
  c1=$(backend_connects)
  sleep 1
  heap1=$(live_heap_kb "$BERTH_PID"); rss1=$(rss_kb "$BERTH_PID")
  {
    echo "idle_clients=$IDLE"; echo "idle_pool=$POOL"; echo "idle_active=$ACTIVE"
    echo "idle_ready=$(cat "$RAW/idle.out" | head -1)"
    echo "idle_established=$(ss -tanH state established "( dport = :$BERTH_PORT )" | wc -l)"
    echo "idle_backend_connects=$((c1 - c0))"
    echo "idle_rss0=$rss0"; echo "idle_rss1=$rss1"; echo "idle_heap0=$heap0"; echo "idle_heap1=$heap1"
  } >>"$RAW/env"
  log "idle clients: $(head -1 "$RAW/idle.out"); Berth RSS $rss0 -> $rss1 KB, live heap $heap0 -> $heap1 KB"

  rounds "many.$ACTIVE" DB "$ACTIVE" oltp_point_select "${SB_OLTP[@]}"
  if (( ACTIVE > POOL )) && grep -q 'rc=[^0]' "$RAW"/many."$ACTIVE".B.*.meta; then
    log "$ACTIVE active clients on a pool of $POOL cannot run in session mode; measuring $POOL active instead"
    rounds "many.$POOL" DB "$POOL" oltp_point_select "${SB_OLTP[@]}"
  fi
  echo "idle_rss_end=$(rss_kb "$BERTH_PID")" >>"$RAW/env"
  echo quit >&9; exec 9>&-
  wait "$IDLE_PID" 2>/dev/null || true; IDLE_PID=""
  stop_berth
fi

# ---- workloads 5-7: transaction pool mode, many clients on a small pool ---------------------------------------
if want tx_point_select tx_read_write tx_prepare; then
  start_berth "$TX_POOL" 10s transaction
  echo "tx_pool=$TX_POOL" >>"$RAW/env"
  warm_up B "$TX_POOL" "$WARMUP" oltp_point_select "${SB_OLTP[@]}"
  if want tx_point_select; then
    for t in ${TX_THREADS//,/ }; do rounds "tx_point_select.$t" DB "$t" oltp_point_select "${SB_OLTP[@]}"; done
  fi
  if want tx_read_write; then
    for t in ${TX_RW_THREADS//,/ }; do rounds "tx_read_write.$t" DB "$t" oltp_read_write "${SB_OLTP[@]}"; done
  fi
  if want tx_prepare; then
    rounds "tx_prepare.${TX_THREADS%%,*}" DB "${TX_THREADS%%,*}" "$HARNESS/prepare_each.lua" --table-size=$TABLE_SIZE
  fi
  stop_berth
fi
echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RAW/env"
other_load >"$RAW/other-load-end"

# ---- report --------------------------------------------------------------------------------------------------
python3 "$HARNESS/report.py" "$RAW" "$RESULTS/$STAMP.md"
cp "$RESULTS/$STAMP.md" "$RESULTS/latest.md"
log "wrote $RESULTS/latest.md and $RESULTS/$STAMP.md (raw output: $RAW)"

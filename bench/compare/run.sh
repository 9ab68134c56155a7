#!/usr/bin/env bash
# Runs muster-bench's durable 1 KB publish -> deliver workload against Muster and, in the same
# run, against RabbitMQ (quorum queue), NATS JetStream, Mosquitto and Redis Streams from Debian's
# packages, and prints a Markdown table side by side.
#
#   sudo bench/compare/run.sh [--runs N] [--workloads "P:W:N ..."] [--systems "muster rabbitmq ..."]
#                             [--max-seconds S] [--quiet-wait S] [--no-install] [--out DIR]
#
# What it does, in order:
#  1. installs (apt-get, idempotent, as root) the servers and client libraries it needs, with a
#     policy-rc.d that stops the packages from starting their daemons; any packaged daemon that
#     starts anyway is stopped again;
#  2. builds musterd, muster-bench and the clients of bench/compare/ into build/compare;
#  3. starts every server on 127.0.0.1 on a free port with its data under one temp dir;
#  4. after one short unrecorded warm-up run per system: for each run, for each workload, for
#     each system (interleaved, so a noisy neighbour hurts all systems alike): sync, then one
#     client run, bounded by --max-seconds;
#  5. stops everything it started and deletes the temp dir, also on failure or Ctrl-C;
#  6. prints the table (also written to OUT/table.md, raw lines to OUT/results.jsonl).
# Loopback only; the whole script is bounded (about 20 minutes at most with the defaults).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)

RUNS=3
WORKLOADS="1:1:5000 1:64:50000"
SYSTEMS="muster rabbitmq nats mosquitto redis"
MAX_SECONDS=60        # per client run
QUIET_WAIT=120        # wait at most this long for other CPU load to settle before measuring
RUN_BUDGET=780        # seconds for the measurement phase; later runs are skipped after that
INSTALL=1
OUT="$ROOT/build/compare/results"

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --workloads) WORKLOADS=$2; shift 2 ;;
    --systems) SYSTEMS=$2; shift 2 ;;
    --max-seconds) MAX_SECONDS=$2; shift 2 ;;
    --quiet-wait) QUIET_WAIT=$2; shift 2 ;;
    --no-install) INSTALL=0; shift ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
for s in $SYSTEMS; do
  case "$s" in muster|rabbitmq|nats|mosquitto|redis) ;; *) echo "error: unknown system $s" >&2; exit 2 ;; esac
done

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ---------------------------------------------------------------------------------------------
# Cleanup: everything started here is recorded in STARTED (pid of a session leader) and stopped
# by pid, together with its descendants; the temp dir is removed.
TMP=""
STARTED=()
CLIENT_PID=""
CREATED_POLICY_RC=0

descendants() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}

is_alive() {  # a process that exited but was not reaped yet (zombie) counts as gone
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ $state != Z* ]]
}

stop_pid() {  # stop_pid PID SECONDS: SIGTERM to the pid, its process group and descendants
  local pid=$1 grace=$2 pids p i
  is_alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
  mapfile -t pids < <(echo "$pid"; descendants "$pid")
  kill -TERM -- "-$pid" 2>/dev/null || true
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    local alive=0
    for p in "${pids[@]}"; do is_alive "$p" && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  kill -KILL "${pids[@]}" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local i
  if [ -n "$CLIENT_PID" ]; then stop_pid "$CLIENT_PID" 5; fi
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do stop_pid "${STARTED[$i]}" 20; done
  if [ "$CREATED_POLICY_RC" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
  if [ -n "$TMP" ] && [ -d "$TMP" ]; then rm -rf "$TMP"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------
# 1. Install.
PACKAGES=(rabbitmq-server librabbitmq-dev nats-server libnats-dev mosquitto libmosquitto-dev
          redis-server libhiredis-dev python3 procps coreutils util-linux)
DAEMONS=(beam.smp epmd nats-server mosquitto redis-server)

install_packages() {
  "$ROOT/deploy/install-deps.sh"
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "install: all ${#PACKAGES[@]} packages present"
    return
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: run as root to install ${missing[*]} (or install them and pass --no-install)" >&2
    exit 1
  fi
  log "install: ${missing[*]}"
  local before
  before=$(pgrep -x "$(IFS='|'; echo "${DAEMONS[*]}")" | sort || true)
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    CREATED_POLICY_RC=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ "$CREATED_POLICY_RC" = 1 ]; then
    rm -f /usr/sbin/policy-rc.d
    CREATED_POLICY_RC=0
  fi
  # A packaged daemon that started despite policy-rc.d is stopped again (by pid: only the new ones).
  local after pid
  after=$(pgrep -x "$(IFS='|'; echo "${DAEMONS[*]}")" | sort || true)
  for pid in $(comm -13 <(echo "$before") <(echo "$after")); do
    case "$(ps -o user= -p "$pid") $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" in
      rabbitmq\ * | mosquitto\ * | redis\ * | nats\ * | *" /etc/"*)
        log "install: stopping packaged daemon $(ps -o comm= -p "$pid") (pid $pid)"
        stop_pid "$pid" 20 ;;
    esac
  done
}

[ "$INSTALL" = 1 ] && install_packages

# ---------------------------------------------------------------------------------------------
# 2. Build.
log "build: build/compare (RelWithDebInfo, MUSTER_BUILD_COMPARE=ON)"
cmake -S . -B build/compare -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMUSTER_BUILD_COMPARE=ON \
  -DMUSTER_BUILD_TESTS=OFF >/dev/null
cmake --build build/compare -j2 --target musterd muster-bench rabbitmq-bench nats-bench \
  mosquitto-bench redis-bench >/dev/null
BIN="$ROOT/build/compare"
CLIENTS="$BIN/bench/compare"
mkdir -p "$OUT"

# ---------------------------------------------------------------------------------------------
# 3. Servers.
TMP=$(mktemp -d /tmp/muster-compare.XXXXXX)
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() {  # wait_port NAME PORT SECONDS LOG
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    port_open "$2" && return 0
    sleep 0.1
  done
  echo "error: $1 did not open 127.0.0.1:$2 within $3 s; last lines of $4:" >&2
  tail -20 "$4" >&2 || true
  exit 1
}
start() {  # start NAME LOG COMMAND...: a new session, recorded for cleanup
  local name=$1 logfile=$2
  shift 2
  setsid "$@" >"$logfile" 2>&1 </dev/null &
  STARTED+=($!)
  log "start: $name (pid $!)"
}

declare -A PORT
start_muster() {
  PORT[muster]=$(free_port)
  start musterd "$TMP/muster.log" "$BIN/broker/musterd" --demo "$TMP/muster" \
    --bind "tcp://127.0.0.1:${PORT[muster]}" --log-level warn
  wait_port musterd "${PORT[muster]}" 30 "$TMP/muster.log"
  # The demo policy limits each principal's publish rate by role (adapter: 200/s), which would
  # reject most of the benchmark's publishes; the peers have no such limit. Drop the
  # [[rate_limit]] tables and restart on the same directory (--demo keeps files that exist).
  if grep -q '^\[\[rate_limit\]\]' "$TMP/muster/policy.toml" 2>/dev/null; then
    log "muster: removing the demo policy's per-role rate limits for the benchmark"
    stop_pid "${STARTED[-1]}" 20
    unset 'STARTED[-1]'
    python3 - "$TMP/muster/policy.toml" <<'EOF'
import sys
path, kept, skip = sys.argv[1], [], False
for line in open(path):
    if line.lstrip().startswith("["):
        skip = line.strip() == "[[rate_limit]]"
    if not skip:
        kept.append(line)
open(path, "w").writelines(kept)
EOF
    start musterd "$TMP/muster.log" "$BIN/broker/musterd" --demo "$TMP/muster" \
      --bind "tcp://127.0.0.1:${PORT[muster]}" --log-level warn
    wait_port musterd "${PORT[muster]}" 30 "$TMP/muster.log"
  fi
}
start_rabbitmq() {
  local d="$TMP/rabbitmq" epmd_port dist_port
  mkdir -p "$d/home" "$d/mnesia" "$d/log"
  PORT[rabbitmq]=$(free_port)
  epmd_port=$(free_port)
  dist_port=$(free_port)
  echo '[].' >"$d/enabled_plugins"
  : >"$d/rabbitmq-env.conf"
  printf 'listeners.tcp.default = 127.0.0.1:%s\nloopback_users = none\n' "${PORT[rabbitmq]}" \
    >"$d/rabbitmq.conf"
  # Our own epmd on a private port (Erlang would otherwise start a daemon that outlives us).
  start epmd "$d/epmd.log" epmd -address 127.0.0.1 -port "$epmd_port"
  sleep 0.3
  start rabbitmq-server "$d/server.log" env HOME="$d/home" \
    RABBITMQ_CONF_ENV_FILE="$d/rabbitmq-env.conf" RABBITMQ_CONFIG_FILE="$d/rabbitmq.conf" \
    RABBITMQ_ADVANCED_CONFIG_FILE="$d/advanced.config" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$d/enabled_plugins" RABBITMQ_MNESIA_BASE="$d/mnesia" \
    RABBITMQ_LOG_BASE="$d/log" RABBITMQ_PID_FILE="$d/rabbitmq.pid" \
    RABBITMQ_NODENAME=mustercompare@localhost RABBITMQ_DIST_PORT="$dist_port" \
    ERL_EPMD_PORT="$epmd_port" ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-start_epmd false -kernel inet_dist_use_interface {127,0,0,1}' \
    /usr/lib/rabbitmq/bin/rabbitmq-server
  wait_port rabbitmq "${PORT[rabbitmq]}" 120 "$d/server.log"
  sleep 2  # the AMQP listener opens just before the boot finishes
}
start_nats() {
  local d="$TMP/nats"
  mkdir -p "$d/js"
  PORT[nats]=$(free_port)
  cat >"$d/nats.conf" <<EOF
listen: 127.0.0.1:${PORT[nats]}
jetstream {
  store_dir: "$d/js"
  max_file_store: 8G
  max_memory_store: 256M
}
EOF
  start nats-server "$d/server.log" nats-server -c "$d/nats.conf"
  wait_port nats "${PORT[nats]}" 30 "$d/server.log"
}
start_mosquitto() {
  local d="$TMP/mosquitto"
  mkdir -p "$d"
  PORT[mosquitto]=$(free_port)
  cat >"$d/mosquitto.conf" <<EOF
listener ${PORT[mosquitto]} 127.0.0.1
allow_anonymous true
persistence true
persistence_location $d/
autosave_interval 1800
max_inflight_messages 1000
max_queued_messages 0
user root
log_dest file $d/mosquitto.log
EOF
  start mosquitto "$d/server.log" mosquitto -c "$d/mosquitto.conf"
  wait_port mosquitto "${PORT[mosquitto]}" 30 "$d/server.log"
}
start_redis() {
  local d="$TMP/redis"
  mkdir -p "$d"
  PORT[redis]=$(free_port)
  start redis-server "$d/server.log" redis-server --port "${PORT[redis]}" --bind 127.0.0.1 \
    --dir "$d" --appendonly yes --appendfsync always --save "" --daemonize no \
    --logfile "$d/redis.log"
  wait_port redis "${PORT[redis]}" 30 "$d/server.log"
}

for s in $SYSTEMS; do "start_$s"; done

# ---------------------------------------------------------------------------------------------
# 4. Measure.
cpu_busy_percent() {  # share of CPU time not idle over the next $1 seconds
  local a b
  read -ra a </proc/stat
  sleep "$1"
  read -ra b </proc/stat
  local idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
  echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}

log "waiting (at most ${QUIET_WAIT} s) for the machine to be quiet (CPU busy < 25%)"
quiet_deadline=$((SECONDS + QUIET_WAIT))
while busy=$(cpu_busy_percent 3); [ "$busy" -ge 25 ] && [ $SECONDS -lt $quiet_deadline ]; do
  log "CPU busy ${busy}%, waiting"
done
log "CPU busy ${busy}% before the runs; load $(cut -d' ' -f1-3 /proc/loadavg)"

RESULTS="$OUT/results.jsonl"
: >"$RESULTS"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
DATE_START=$(date)
measure_deadline=$((SECONDS + RUN_BUDGET))

run_client() {  # run_client SYSTEM P W N: prints the client's JSON line
  local sys=$1 p=$2 w=$3 n=$4
  local common=(--publishers "$p" --window "$w" --messages "$n" --max-seconds "$MAX_SECONDS" --json)
  local t=$((MAX_SECONDS + 30))
  case "$sys" in
    muster)
      timeout -k 10 $t "$BIN/bench/muster-bench" --demo "$TMP/muster" \
        --broker "tcp://127.0.0.1:${PORT[muster]}" --size 1024 "${common[@]}" ;;
    rabbitmq) timeout -k 10 $t "$CLIENTS/rabbitmq-bench" --port "${PORT[rabbitmq]}" "${common[@]}" ;;
    nats) timeout -k 10 $t "$CLIENTS/nats-bench" --port "${PORT[nats]}" "${common[@]}" ;;
    mosquitto) timeout -k 10 $t "$CLIENTS/mosquitto-bench" --port "${PORT[mosquitto]}" "${common[@]}" ;;
    redis) timeout -k 10 $t "$CLIENTS/redis-bench" --port "${PORT[redis]}" "${common[@]}" ;;
  esac
}

# One short unrecorded run per system first (connections, caches, the Erlang VM's code paths).
for sys in $SYSTEMS; do
  run_client "$sys" 1 64 2000 >/dev/null 2>"$TMP/client.err" &
  CLIENT_PID=$!
  wait "$CLIENT_PID" || log "warm-up of $sys failed: $(tail -3 "$TMP/client.err" | tr '\n' ' ')"
  CLIENT_PID=""
done

failures=0
for ((rep = 1; rep <= RUNS; rep++)); do
  for wl in $WORKLOADS; do
    IFS=: read -r p w n <<<"$wl"
    for sys in $SYSTEMS; do
      if [ $SECONDS -ge $measure_deadline ]; then
        log "skip: $sys ($p,$w) N=$n run $rep: time budget of ${RUN_BUDGET} s used up"
        continue
      fi
      sync
      busy=$(cpu_busy_percent 1)
      load=$(cut -d' ' -f1 /proc/loadavg)
      # In the background, so that a signal to this script is handled at once (by cleanup).
      run_client "$sys" "$p" "$w" "$n" >"$TMP/client.out" 2>"$TMP/client.err" &
      CLIENT_PID=$!
      set +e
      wait "$CLIENT_PID"
      rc=$?
      set -e
      CLIENT_PID=""
      line=$(tail -1 "$TMP/client.out")
      if [ $rc -ne 0 ] || [ "${line:0:1}" != "{" ]; then
        failures=$((failures + 1))
        log "FAIL: $sys ($p,$w) N=$n run $rep (exit $rc): $(tail -3 "$TMP/client.err" | tr '\n' ' ')"
        line=null
      else
        log "$sys ($p,$w) N=$n run $rep: $(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(r["receipts_per_s"], "msgs/s, ack p50", r["receipt_ms"]["p50"], "ms")' "$line")"
      fi
      printf '{"system":"%s","publishers":%s,"window":%s,"messages":%s,"run":%s,"load1":%s,"cpu_busy_before":%s,"exit":%s,"result":%s}\n' \
        "$sys" "$p" "$w" "$n" "$rep" "$load" "$busy" "$rc" "$line" >>"$RESULTS"
    done
  done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------
# 5./6. Stop the servers, then print the table.
for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do stop_pid "${STARTED[$i]}" 20; done
STARTED=()

versions=""
for pkg in rabbitmq-server nats-server mosquitto redis-server; do
  versions+="$pkg $(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || echo '?'); "
done
python3 "$ROOT/bench/compare/summarize.py" "$RESULTS" \
  --date "$DATE_START" --load-start "$LOAD_START" --load-end "$LOAD_END" \
  --versions "$versions" --command "bench/compare/run.sh --runs $RUNS --workloads \"$WORKLOADS\"" \
  | tee "$OUT/table.md"
log "raw results: $RESULTS; table: $OUT/table.md"
[ $failures -eq 0 ] || { log "$failures run(s) failed"; exit 1; }

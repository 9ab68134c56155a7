#!/usr/bin/env bash
# Scale measurements of issue 7 against a musterd started here, and a Markdown table of them:
#   rss      RSS with PENDING (1,000,000) 1 KB messages pending for an offline recipient, the
#            publish rate of the fill, then the drain (receive and ack) and the RSS during it;
#   restart  a store filled with STORED (10,000,000) 256-byte messages (all but the last
#            PENDING_B acked by a consumer during the fill, the last PENDING_B pending for an
#            offline recipient; the fill stops after --fill-seconds whatever the count), then the
#            time to stop on SIGTERM and the time from starting musterd until a client is
#            welcomed: after a clean stop, after a SIGKILL (write-ahead log replay) and after a
#            clean stop with the store's files evicted from the page cache (cold);
#   fanout   1 KB messages to org:fan-N, an organisation of N principals (sector military), all
#            N connected and acking, for N in FANOUT; W = 16 publishes in flight.
#
#   bench/scale/run.sh [--parts "rss restart fanout"] [--pending N] [--stored N] [--pending-b N]
#                      [--fill-seconds S] [--topup N] [--fanout "1 10 100 500"]
#                      [--fanout-total N] [--fanout-min N] [--load-max L] [--quiet-wait S]
#                      [--no-build] [--keep] [--out DIR]
#
# What it does: builds the release preset (musterd, muster-scale); for each part starts its own
# musterd (`--demo DIR`, a fresh directory under $TMPDIR, a free port on 127.0.0.1, metrics on
# another), removes the demo policy's [[rate_limit]] tables (and for fanout adds the fan-N
# organisations and their keys) and reloads it with SIGHUP; before each measurement waits (at most
# --quiet-wait seconds) until the 1-minute load average is below --load-max, and records the load
# at the start and the end. Everything it starts is stopped by pid (also on failure or Ctrl-C);
# the data directories are deleted unless --keep. Every step is bounded in count and time.
# Results: OUT/results.jsonl (raw), OUT/table.md (printed at the end).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)

PARTS="rss restart fanout"
PENDING=1000000
STORED=10000000
PENDING_B=1000000
FILL_SECONDS=1500
TOPUP=300000
FANOUT="1 10 100 500"
FANOUT_TOTAL=20000
FANOUT_MIN=200
LOAD_MAX=1.5
QUIET_WAIT=900
BUILD=1
KEEP=0
OUT="$ROOT/build/release/scale-results"

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --parts) PARTS=$2; shift 2 ;;
    --pending) PENDING=$2; shift 2 ;;
    --stored) STORED=$2; shift 2 ;;
    --pending-b) PENDING_B=$2; shift 2 ;;
    --fill-seconds) FILL_SECONDS=$2; shift 2 ;;
    --topup) TOPUP=$2; shift 2 ;;
    --fanout) FANOUT=$2; shift 2 ;;
    --fanout-total) FANOUT_TOTAL=$2; shift 2 ;;
    --fanout-min) FANOUT_MIN=$2; shift 2 ;;
    --load-max) LOAD_MAX=$2; shift 2 ;;
    --quiet-wait) QUIET_WAIT=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --keep) KEEP=1; shift ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
for p in $PARTS; do
  case "$p" in rss|restart|fanout) ;; *) echo "error: unknown part $p" >&2; exit 2 ;; esac
done
if [ "$STORED" -le "$PENDING_B" ]; then echo "error: --stored must exceed --pending-b" >&2; exit 2; fi

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ---------------------------------------------------------------------------------------------
# Cleanup: the one broker running at a time (BROKER_PID) is stopped by pid; the temp dir removed.
TMP=""
BROKER_PID=""

alive() {  # alive PID: running (a zombie that was not reaped yet counts as gone)
  local stat
  [ -r "/proc/$1/stat" ] || return 1
  read -r stat </proc/"$1"/stat 2>/dev/null || return 1
  stat=${stat##*") "}
  [[ ${stat:0:1} != Z ]]
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$BROKER_PID" ]; then
    if alive "$BROKER_PID"; then
      log "cleanup: stopping musterd (pid $BROKER_PID)"
      kill -TERM "$BROKER_PID" 2>/dev/null || true
      for ((i = 0; i < 1200; i++)); do alive "$BROKER_PID" || break; sleep 0.1; done
      alive "$BROKER_PID" && kill -KILL "$BROKER_PID" 2>/dev/null || true
    fi
    wait "$BROKER_PID" 2>/dev/null || true
  fi
  if [ -n "$TMP" ] && [ -d "$TMP" ] && [ "$KEEP" = 0 ]; then rm -rf "$TMP"; fi
  [ "$KEEP" = 1 ] && [ -n "$TMP" ] && log "kept $TMP"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------
# Build.
if [ "$BUILD" = 1 ]; then
  log "build: release preset (musterd, muster-scale)"
  cmake --preset release >/dev/null
  cmake --build --preset release -j2 --target musterd muster-scale >/dev/null
fi
MUSTERD="$ROOT/build/release/broker/musterd"
SCALE="$ROOT/build/release/bench/scale/muster-scale"
[ -x "$MUSTERD" ] && [ -x "$SCALE" ] || { echo "error: build musterd and muster-scale first" >&2; exit 1; }

# 500 recipients in one process: two sockets and a TCP connection each.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
: >"$RESULTS"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/muster-scale.XXXXXX")
log "work dir $TMP (fd limit $(ulimit -n))"

# ---------------------------------------------------------------------------------------------
# Helpers.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
load() { cut -d' ' -f1-3 /proc/loadavg; }
cpu_busy() {  # percent of CPU time busy (all cores) over the next second
  local a b
  read -r -a a < <(head -1 /proc/stat)
  sleep 1
  read -r -a b < <(head -1 /proc/stat)
  local idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) total=0 i
  for ((i = 1; i < ${#a[@]}; i++)); do total=$(( total + b[i] - a[i] )); done
  echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}
wait_quiet() {  # wait_quiet CAP_SECONDS: until the 1-minute load is below LOAD_MAX, or CAP
  local cap=$1 waited=0 l
  while :; do
    l=$(cut -d' ' -f1 /proc/loadavg)
    if awk -v l="$l" -v m="$LOAD_MAX" 'BEGIN { exit !(l < m) }'; then break; fi
    if [ "$waited" -ge "$cap" ]; then
      log "load $(load) still above $LOAD_MAX after ${waited} s; measuring anyway"
      break
    fi
    [ "$waited" = 0 ] && log "waiting for load $(load) to fall below $LOAD_MAX (at most ${cap} s)"
    sleep 10
    waited=$((waited + 10))
  done
  QUIET_WAITED=$waited
}
emit() { echo "$1" >>"$RESULTS"; }
dir_bytes() { du -sb "$1" | cut -f1; }
wal_bytes() { find "$1" -maxdepth 1 -name '*.log' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }
sst_count() { find "$1" -maxdepth 1 -name '*.sst' | wc -l; }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
pending_of() {  # pending_of RECIPIENT: the broker's muster_pending_messages gauge (0 if absent)
  curl -s --max-time 5 "http://127.0.0.1:$METRICS_PORT/metrics" |
    awk -v r="muster_pending_messages{recipient=\"$1\"}" '$1 == r { v = $2 } END { print v + 0 }'
}

# start_broker DIR: starts musterd on PORT and waits until a client is welcomed; READY is the
# muster-scale ready result (ready_ms counts from just before the start).
start_broker() {
  local dir=$1 t0
  t0=$(date +%s%N)
  "$MUSTERD" --demo "$dir" --bind "tcp://127.0.0.1:$PORT" --metrics "127.0.0.1:$METRICS_PORT" \
    --log-level info >>"$dir/musterd.log" 2>&1 </dev/null &
  BROKER_PID=$!
  if ! READY=$("$SCALE" ready --broker "tcp://127.0.0.1:$PORT" --demo "$dir" --since-ns "$t0" \
                 --broker-pid "$BROKER_PID" --max-seconds 900); then
    echo "error: musterd did not welcome a client; last lines of $dir/musterd.log:" >&2
    tail -20 "$dir/musterd.log" >&2
    exit 1
  fi
  log "musterd (pid $BROKER_PID) ready after $(jq -r .ready_ms <<<"$READY") ms"
}

# stop_broker SIGNAL: signals musterd and waits until it has exited (at most 600 s, then
# SIGKILL); STOP_MS is the time from the signal until the process was gone, STOP_RC its status.
stop_broker() {
  local sig=$1 t0 t1 i
  t0=$(date +%s%N)
  kill -"$sig" "$BROKER_PID"
  for ((i = 0; i < 120000; i++)); do alive "$BROKER_PID" || break; sleep 0.005; done
  t1=$(date +%s%N)
  if alive "$BROKER_PID"; then
    log "musterd did not stop within 600 s of SIG$sig; killing it"
    kill -KILL "$BROKER_PID" || true
  fi
  STOP_RC=0
  wait "$BROKER_PID" || STOP_RC=$?
  BROKER_PID=""
  STOP_MS=$(( (t1 - t0) / 1000000 ))
}

# reload_policy DIR: SIGHUP, then wait until the broker logs the reload.
reload_policy() {
  local dir=$1 before i
  before=$(grep -c "policy reloaded" "$dir/musterd.log" || true)
  kill -HUP "$BROKER_PID"
  for ((i = 0; i < 100; i++)); do
    [ "$(grep -c "policy reloaded" "$dir/musterd.log" || true)" -gt "$before" ] && return 0
    sleep 0.1
  done
  echo "error: musterd did not reload its policy; last lines of $dir/musterd.log:" >&2
  tail -5 "$dir/musterd.log" >&2
  exit 1
}

# new_broker NAME: a fresh demo directory, musterd on it, the rate limits removed.
new_broker() {
  DIR="$TMP/$1"
  mkdir -p "$DIR"
  PORT=$(free_port)
  METRICS_PORT=$(free_port)
  start_broker "$DIR"
  # The demo's per-role rate limits (adapter: 200 publishes/s) would refuse most of the fill.
  sed -i '/^\[\[rate_limit\]\]/,/^$/d' "$DIR/policy.toml"
  reload_policy "$DIR"
}

# fill ARGS...: muster-scale fill against the current broker; FILL is its JSON. A fill cut short
# by its time limit is recorded as it is (its counts say so); one that printed nothing stops here.
fill() {
  FILL=$("$SCALE" fill --broker "tcp://127.0.0.1:$PORT" --demo "$DIR" --broker-pid "$BROKER_PID" "$@") || true
  if ! jq -e .receipts >/dev/null 2>&1 <<<"$FILL"; then
    echo "error: fill failed: $FILL" >&2
    exit 1
  fi
}

# ---------------------------------------------------------------------------------------------
part_rss() {
  log "rss: fresh broker"
  new_broker rss
  local idle_kb ls le busy
  idle_kb=$(status_kb "$BROKER_PID" VmRSS)
  wait_quiet "$QUIET_WAIT"
  ls=$(load); busy=$(cpu_busy)
  log "rss: publishing $PENDING 1 KB messages to principal:liaison-1 (offline), W = 256 (load $ls)"
  fill --to principal:liaison-1 --messages "$PENDING" --size 1024 --publishers 1 --window 256 --max-seconds 1800
  le=$(load)
  sleep 2  # the metrics are published once a second
  emit "{\"part\":\"rss\",\"what\":\"fill\",\"date\":\"$(date)\",\"load_start\":\"$ls\",\"load_end\":\"$le\",\"cpu_busy_start\":$busy,\"quiet_waited_s\":$QUIET_WAITED,\"idle_rss_kb\":$idle_kb,\"pending\":$(pending_of liaison-1),\"rss_kb\":$(status_kb "$BROKER_PID" VmRSS),\"hwm_kb\":$(status_kb "$BROKER_PID" VmHWM),\"data_bytes\":$(dir_bytes "$DIR/data"),\"wal_bytes\":$(wal_bytes "$DIR/data"),\"r\":$FILL}"
  log "rss: filled: $(jq -c '{receipts, receipts_per_s, rss_kb, hwm_kb}' <<<"$FILL")"
  # The broker idle with everything pending for a while: does the RSS settle or keep growing?
  sleep 30
  local settled_kb
  settled_kb=$(status_kb "$BROKER_PID" VmRSS)
  wait_quiet 300
  ls=$(load); busy=$(cpu_busy)
  log "rss: draining liaison-1 (load $ls)"
  local drain
  drain=$("$SCALE" drain --broker "tcp://127.0.0.1:$PORT" --demo "$DIR" --broker-pid "$BROKER_PID" \
            --recipient liaison-1 --expect "$(jq .receipts <<<"$FILL")" --max-seconds 1800) || {
    echo "error: drain failed: $drain" >&2
    exit 1
  }
  le=$(load)
  sleep 2
  emit "{\"part\":\"rss\",\"what\":\"drain\",\"date\":\"$(date)\",\"load_start\":\"$ls\",\"load_end\":\"$le\",\"cpu_busy_start\":$busy,\"settled_rss_kb\":$settled_kb,\"pending\":$(pending_of liaison-1),\"rss_kb\":$(status_kb "$BROKER_PID" VmRSS),\"hwm_kb\":$(status_kb "$BROKER_PID" VmHWM),\"data_bytes\":$(dir_bytes "$DIR/data"),\"r\":$drain}"
  log "rss: drained: $(jq -c '{delivered, per_s, rss_max_kb, rss_kb}' <<<"$drain")"
  stop_broker TERM
  log "rss: stopped (exit $STOP_RC, $STOP_MS ms)"
  [ "$KEEP" = 1 ] || rm -rf "$DIR"
}

# ---------------------------------------------------------------------------------------------
part_restart() {
  log "restart: fresh broker"
  new_broker restart
  local ls le busy t_start elapsed left acked=$((STORED - PENDING_B))
  wait_quiet "$QUIET_WAIT"
  ls=$(load); busy=$(cpu_busy)
  t_start=$(date +%s)
  log "restart: $acked 256-byte messages to msd, acked by msd during the fill (4 publishers, W = 64; load $ls)"
  fill --to principal:msd --consumer msd --messages "$acked" --size 256 --publishers 4 --window 64 \
       --max-seconds $((FILL_SECONDS * 4 / 5)) --progress 60
  local fill1=$FILL
  elapsed=$(( $(date +%s) - t_start ))
  left=$(( FILL_SECONDS - elapsed > 60 ? FILL_SECONDS - elapsed : 60 ))
  log "restart: $PENDING_B 256-byte messages to liaison-1 (offline), at most $left s"
  fill --to principal:liaison-1 --messages "$PENDING_B" --size 256 --publishers 4 --window 64 \
       --max-seconds "$left" --progress 60
  local fill2=$FILL
  le=$(load)
  sleep 2
  local stored=$(( $(jq .receipts <<<"$fill1") + $(jq .receipts <<<"$fill2") ))
  emit "{\"part\":\"restart\",\"what\":\"fill\",\"date\":\"$(date)\",\"load_start\":\"$ls\",\"load_end\":\"$le\",\"cpu_busy_start\":$busy,\"quiet_waited_s\":$QUIET_WAITED,\"stored\":$stored,\"fill_s\":$(( $(date +%s) - t_start )),\"pending\":$(pending_of liaison-1),\"rss_kb\":$(status_kb "$BROKER_PID" VmRSS),\"hwm_kb\":$(status_kb "$BROKER_PID" VmHWM),\"data_bytes\":$(dir_bytes "$DIR/data"),\"wal_bytes\":$(wal_bytes "$DIR/data"),\"sst_files\":$(sst_count "$DIR/data"),\"r1\":$fill1,\"r2\":$fill2}"
  log "restart: stored $stored messages, $(( $(dir_bytes "$DIR/data") / 1048576 )) MB"

  # restart_step WHAT SIGNAL: stop with SIGNAL (timed), start again (timed), record both.
  restart_step() {
    local what=$1 sig=$2 ls le data wal ssts rss_before
    wait_quiet 300
    ls=$(load)
    rss_before=$(status_kb "$BROKER_PID" VmRSS)
    data=$(dir_bytes "$DIR/data"); wal=$(wal_bytes "$DIR/data"); ssts=$(sst_count "$DIR/data")
    stop_broker "$sig"
    local stop_ms=$STOP_MS stop_rc=$STOP_RC evicted=false
    if [ "$what" = cold ]; then
      # Evict the store's files (only them) from the page cache: a start as after a reboot.
      sync
      python3 - "$DIR/data" <<'EOF'
import os, sys
for name in os.listdir(sys.argv[1]):
    path = os.path.join(sys.argv[1], name)
    if os.path.isfile(path):
        fd = os.open(path, os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
EOF
      evicted=true
    fi
    start_broker "$DIR"
    sleep 2
    le=$(load)
    emit "{\"part\":\"restart\",\"what\":\"$what\",\"signal\":\"$sig\",\"date\":\"$(date)\",\"load_start\":\"$ls\",\"load_end\":\"$le\",\"evicted\":$evicted,\"data_bytes\":$data,\"wal_bytes\":$wal,\"sst_files\":$ssts,\"rss_before_kb\":$rss_before,\"stop_ms\":$stop_ms,\"stop_rc\":$stop_rc,\"ready\":$READY,\"pending\":$(pending_of liaison-1),\"rss_kb\":$(status_kb "$BROKER_PID" VmRSS)}"
    log "restart ($what): stop $stop_ms ms (exit $stop_rc), ready after $(jq .ready_ms <<<"$READY") ms"
  }
  restart_step clean TERM
  # More traffic, then a crash: the write-ahead log holds what was not flushed yet.
  log "restart: $TOPUP more messages to msd (acked), then SIGKILL"
  fill --to principal:msd --consumer msd --messages "$TOPUP" --size 256 --publishers 4 --window 64 \
       --max-seconds 600 --progress 60
  emit "{\"part\":\"restart\",\"what\":\"topup\",\"r\":$FILL}"
  restart_step crash KILL
  restart_step cold TERM
  wait_quiet 300
  local ls2 rss_before
  ls2=$(load)
  rss_before=$(status_kb "$BROKER_PID" VmRSS)
  stop_broker TERM
  emit "{\"part\":\"restart\",\"what\":\"final-stop\",\"load_start\":\"$ls2\",\"rss_before_kb\":$rss_before,\"stop_ms\":$STOP_MS,\"stop_rc\":$STOP_RC,\"data_bytes\":$(dir_bytes "$DIR/data")}"
  log "restart: final stop $STOP_MS ms (exit $STOP_RC)"
  [ "$KEEP" = 1 ] || rm -rf "$DIR"
}

# ---------------------------------------------------------------------------------------------
part_fanout() {
  log "fanout: fresh broker"
  new_broker fanout
  local sizes
  sizes=$(tr ' ' ',' <<<"$FANOUT")
  "$SCALE" fanout-policy --demo "$DIR" --sizes "$sizes" >/dev/null
  reload_policy "$DIR"
  local n m ls le busy r
  for n in $FANOUT; do
    m=$(( FANOUT_TOTAL / n > FANOUT_MIN ? FANOUT_TOTAL / n : FANOUT_MIN ))
    wait_quiet "$QUIET_WAIT"
    ls=$(load); busy=$(cpu_busy)
    log "fanout: N = $n, $m messages (load $ls)"
    r=$("$SCALE" fanout --broker "tcp://127.0.0.1:$PORT" --demo "$DIR" --broker-pid "$BROKER_PID" \
          --recipients "$n" --messages "$m" --window 16 --max-seconds 600) || {
      echo "error: fan-out $n failed: $r" >&2
      exit 1
    }
    le=$(load)
    emit "{\"part\":\"fanout\",\"what\":\"$n\",\"date\":\"$(date)\",\"load_start\":\"$ls\",\"load_end\":\"$le\",\"cpu_busy_start\":$busy,\"quiet_waited_s\":$QUIET_WAITED,\"r\":$r}"
    log "fanout: $(jq -c '{recipients, receipts_per_s, deliveries_per_s, receipt_ms, last_delivery_ms}' <<<"$r")"
  done
  stop_broker TERM
  [ "$KEEP" = 1 ] || rm -rf "$DIR"
}

log "start: $(date), load $(load), $(nproc) CPUs, commit $(git rev-parse --short HEAD)"
emit "{\"part\":\"run\",\"date\":\"$(date)\",\"commit\":\"$(git rev-parse --short HEAD)\",\"load\":\"$(load)\",\"args\":\"$PARTS pending=$PENDING stored=$STORED pending_b=$PENDING_B fill_seconds=$FILL_SECONDS topup=$TOPUP fanout=$FANOUT\"}"
for p in $PARTS; do "part_$p"; done
python3 "$ROOT/bench/scale/summarize.py" "$RESULTS" | tee "$OUT/table.md"

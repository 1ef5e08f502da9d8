#!/usr/bin/env bash
# Durable writes: person.add over the socket from 1 and 16 clients (Benchmarks/rpcbench.c), beside references
# measured in the same run on the same disk, as ratios (each figure the median of RUNS runs, default 5):
#
# - 1 client: SQLite one-row commits, WAL, synchronous=FULL (Python's sqlite3, one transaction per row);
# - 16 clients: Redis SET with appendonly yes and appendfsync always (redis-benchmark over a Unix socket).
#
#   Benchmarks/writes.sh [REQUESTS]        (default 4000 per run)
#
# BIN=DIR uses the treatyd already built in DIR. Needs redis-server, redis-tools and gcc.
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${1:-4000}
RUNS=${RUNS:-5}
source Benchmarks/common.sh
make_work writes
release_bin
gcc -O2 -pthread -o "$work/rpcbench" Benchmarks/rpcbench.c

start_office treaty
redis-server --port 0 --unixsocket "$work/redis.sock" --dir "$work" --save '' --appendonly yes --appendfsync always \
  --daemonize yes --pidfile "$work/redis.pid" >/dev/null
for _ in $(seq 100); do [ -S "$work/redis.sock" ] && break; sleep 0.1; done

treaty_rate() { # clients -> requests/s, p50 ms, p99 ms of one run
  "$work/rpcbench" "$work/treaty.sock" "$1" $((REQUESTS / $1)) person.add '{"name":"Hikmət Hacıyev","note":"a durable write"}'
}
redis_rate() { # clients -> requests/s
  redis-benchmark -s "$work/redis.sock" -t set -n "$REQUESTS" -c "$1" -d 60 --csv | tail -1 | tr -d '"' | cut -d, -f2
}
sqlite_rate() { # -> one-row commits/s
  python3 - "$work/reference.sqlite" "$REQUESTS" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE IF NOT EXISTS person (id TEXT PRIMARY KEY, name TEXT, note TEXT)")
n = int(sys.argv[2])
start = time.perf_counter()
for i in range(n):
    db.execute("BEGIN")
    db.execute("INSERT INTO person VALUES (?, ?, ?)", (f"{time.time_ns()}-{i}", "Hikmət Hacıyev", "a durable write"))
    db.execute("COMMIT")
print(round(n / (time.perf_counter() - start)))
PY
}

echo "durable person.add, $REQUESTS requests per run, median of $RUNS runs"
printf "%-8s %10s %8s %8s | %-40s %10s | %s\n" clients treatyd p50 p99 reference "ref/s" ratio
for c in 1 16; do
  rates=(); p50s=(); p99s=(); refs=()
  for _ in $(seq "$RUNS"); do
    read -r rps p50 p99 < <(treaty_rate "$c")
    rates+=("$rps"); p50s+=("$p50"); p99s+=("$p99")
    if [ "$c" = 1 ]; then refs+=("$(sqlite_rate)"); else refs+=("$(redis_rate "$c")"); fi
  done
  rps=$(median "${rates[@]}"); ref=$(median "${refs[@]}")
  name=$([ "$c" = 1 ] && echo "SQLite one-row commits, synchronous=FULL" || echo "Redis SET, appendfsync always")
  printf "%-8s %10.0f %8s %8s | %-40s %10.0f | %.2f\n" "$c" "$rps" "$(median "${p50s[@]}")" "$(median "${p99s[@]}")" \
    "$name" "$ref" "$(python3 -c "print($rps / $ref)")"
done

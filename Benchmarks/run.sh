#!/usr/bin/env bash
# Benchmarks treatyd against references measured in the same run, and prints ratios.
#
#   Benchmarks/run.sh [AGREEMENTS]        (default 100000; STATEMENTS=N for the search at N statements, default
#                                         1000000, 0 to leave it out)
#
# - agreement.get over the socket with 1, 16 and 50 concurrent clients (Benchmarks/rpcbench.c), beside
#   redis-benchmark -t get over a Unix socket with the same client counts;
# - search for a rare, a common (a third of records) and a very common (every record) word, beside the same
#   FTS5 queries run directly in SQLite (Python's sqlite3 on the same file);
# - search at a million statements (Benchmarks/make_statements.py --word-classes) for a word in 10 statements,
#   in 1%, in 20% and in every one: p50 and p99 beside the raw FTS5 query (MATCH, ORDER BY rank, LIMIT 20) on
#   the same file;
# - a one-shot `treaty agreement show` round trip (hyperfine).
# BIN=DIR uses the treatyd and treaty already built in DIR. Needs redis-server, redis-tools, hyperfine and gcc
# (apt-get install redis-server redis-tools hyperfine).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
RUNS=${RUNS:-5}
source Benchmarks/common.sh
make_work bench
release_bin
gcc -O2 -pthread -o "$work/rpcbench" Benchmarks/rpcbench.c

python3 Benchmarks/make_agreements.py "$N" "$work/agreements.jsonl" "$work/ids.txt"
start_office agreements
start=$(now)
"$bin/treaty" --socket "$work/agreements.sock" import "$work/agreements.jsonl" >/dev/null
echo "import of $N agreements: $(since "$start") s"

redis-server --port 0 --unixsocket "$work/redis.sock" --save '' --appendonly no --daemonize yes --pidfile "$work/redis.pid" >/dev/null
for _ in $(seq 100); do [ -S "$work/redis.sock" ] && break; sleep 0.1; done
redis-cli -s "$work/redis.sock" set key:1 "$(head -c 400 "$work/agreements.jsonl")" >/dev/null

echo
echo "agreement.get over the socket, 20000 requests per run (req/s, p50 ms, p99 ms), beside Redis GET;"
echo "each figure the median of $RUNS interleaved runs (RUNS=N to change)"
printf "%-8s %10s %8s %8s | %10s %8s %8s | %s\n" clients treatyd p50 p99 redis p50 p99 "treatyd/redis"
for c in 1 16 50; do
  t=(); t50=(); t99=(); r=(); r50=(); r99=()
  for _ in $(seq "$RUNS"); do
    read -r rps p50 p99 < <("$work/rpcbench" "$work/agreements.sock" "$c" $((20000 / c)) agreement.get '{"id":"%s"}' "$work/ids.txt")
    IFS=, read -r _ rrps _ _ rp50 _ rp99 _ < <(redis-benchmark -s "$work/redis.sock" -t get -n 100000 -c "$c" -r 1 --csv | tail -1 | tr -d '"')
    t+=("$rps"); t50+=("$p50"); t99+=("$p99"); r+=("$rrps"); r50+=("$rp50"); r99+=("$rp99")
  done
  rps=$(median "${t[@]}"); rrps=$(median "${r[@]}")
  printf "%-8s %10.0f %8s %8s | %10.0f %8s %8s | %.2f\n" "$c" "$rps" "$(median "${t50[@]}")" "$(median "${t99[@]}")" \
    "$rrps" "$(median "${r50[@]}")" "$(median "${r99[@]}")" "$(python3 -c "print($rps / $rrps)")"
done

echo
echo "search (one client, 200 queries, p50 ms), beside the same FTS5 queries directly in SQLite"
printf "%-26s %8s %8s %8s %s\n" word matches treatyd sqlite "treatyd/sqlite"
# Words whose phonetic key is themselves, so the direct query is exactly the one treatyd runs.
for word in zephyrian naval partnership; do
  read -r _ p50 _ < <("$work/rpcbench" "$work/agreements.sock" 1 200 search "{\"query\":\"$word\",\"limit\":20}")
  read -r matches direct _ < <(python3 Benchmarks/direct_search.py "$work/agreements/treaty.sqlite" "$word")
  printf "%-26s %8s %8s %8s %.2f\n" "$word" "$matches" "$p50" "$direct" "$(python3 -c "print($p50 / $direct)")"
done

S=${STATEMENTS:-1000000}
if [ "$S" -gt 0 ]; then
  echo
  python3 Benchmarks/make_statements.py "$S" "$(( S >= 1000 ? S / 1000 : 1 ))" "$work/statements.jsonl" --word-classes
  start_office statements
  start=$(now)
  "$bin/treaty" --socket "$work/statements.sock" import "$work/statements.jsonl" >/dev/null
  echo "search at $S statements (imported in $(since "$start") s), one client,"
  echo "200 queries a word (ms), beside the raw FTS5 query (MATCH, ORDER BY rank, LIMIT 20) on the same file"
  printf "%-10s %8s | %8s %8s | %8s %8s | %9s %9s\n" word matches p50 p99 "fts5 p50" "fts5 p99" "p50 ratio" "p99 ratio"
  for word in zephyrian meridian harbour accord; do
    read -r _ p50 p99 < <("$work/rpcbench" "$work/statements.sock" 1 200 search "{\"query\":\"$word\",\"limit\":20}")
    read -r matches r50 r99 < <(python3 Benchmarks/direct_search.py "$work/statements/treaty.sqlite" "$word" --raw)
    printf "%-10s %8s | %8s %8s | %8s %8s | %9.2f %9.2f\n" "$word" "$matches" "$p50" "$p99" "$r50" "$r99" \
      "$(python3 -c "print($p50 / $r50)")" "$(python3 -c "print($p99 / $r99)")"
  done
fi

echo
id=$(head -1 "$work/ids.txt")
echo "one-shot CLI round trip: treaty agreement show (hyperfine, median)"
hyperfine -N --warmup 20 --runs 200 --export-json "$work/oneshot.json" \
  "$bin/treaty --socket $work/agreements.sock agreement show $id" >/dev/null
python3 -c "import json; r=json.load(open('$work/oneshot.json'))['results'][0]; print(f\"median {r['median']*1000:.2f} ms, mean {r['mean']*1000:.2f} ms\")"
hyperfine -N --warmup 20 --runs 200 --export-json "$work/true.json" "/bin/true" >/dev/null
python3 -c "import json; r=json.load(open('$work/true.json'))['results'][0]; print(f\"reference: /bin/true median {r['median']*1000:.2f} ms\")"

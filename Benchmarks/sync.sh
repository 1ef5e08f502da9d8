#!/usr/bin/env bash
# Benchmarks sync between offices on one machine, with references measured in the same run.
#
#   Benchmarks/sync.sh [AGREEMENTS] [EDITS]        (defaults 100000 and 2000)
#
# - A imports AGREEMENTS agreements (change sets of at most 2,000 records); its bundle is imported into B: the
#   merge time for that many changes, beside plain SQLite inserting the same rows (Python's sqlite3, one
#   transaction);
# - C catches up from A over a mutual-TLS peer connection;
# - the bundle's size, and a bundle of one edit to a peer that holds the rest;
# - A and B as mutual-TLS peers on loopback: the bytes and time for one edit to reach B, and EDITS edits
#   (one change set each) end to end (Benchmarks/sync_bench.py);
# - after each step, the peak resident memory of every daemon so far, and of each CLI call.
#
# BIN=DIR uses the treatyd and treaty already built in DIR. DATA=statements imports N statements by N/1000
# speakers (Benchmarks/make_statements.py, about 377 bytes a line) instead of agreements, skips the edit
# steps, and at the end pins B to A as well and checks that all three content digests are equal:
#
#   DATA=statements Benchmarks/sync.sh 1000000
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
DATA=${DATA:-agreements}
EDITS=${2:-$([ "$DATA" = statements ] && echo 0 || echo 2000)}
source Benchmarks/common.sh
make_work syncbench
# BUILD=debug uses the debug build (byte counts are the same; times are slower than release).
if [ -n "${BIN:-}" ]; then
  bin=$BIN
elif [ "${BUILD:-release}" = debug ]; then
  swift build >/dev/null
  bin=.build/debug
else
  swift build -c release --static-swift-stdlib >/dev/null
  bin=.build/release
fi

if [ "$DATA" = statements ]; then
  python3 Benchmarks/make_statements.py "$N" "$(( N >= 1000 ? N / 1000 : 1 ))" "$work/agreements.jsonl"
else
  python3 Benchmarks/make_agreements.py "$N" "$work/agreements.jsonl" "$work/ids.txt"
fi
echo "input: $N $DATA, $(stat -c %s "$work/agreements.jsonl") bytes of JSON Lines"
for office in a b c; do start_office "$office" --listen 127.0.0.1:0; done
A=("$bin/treaty" --socket "$work/a.sock")
B=("$bin/treaty" --socket "$work/b.sock")
C=("$bin/treaty" --socket "$work/c.sock")
# Peak resident memory (MB) of a daemon since it started, and of one CLI call.
peak() { echo "$(( $(grep VmHWM /proc/$(cat "$work/$1.pid")/status | awk '{print $2}') / 1024 ))"; }
peaks() { echo "  peak RSS so far: A $(peak a) MB, B $(peak b) MB, C $(peak c) MB"; }
cli() { /usr/bin/time -f "%M" -o "$work/cli.rss" "$@"; echo "  the CLI's peak RSS: $(( $(tail -1 "$work/cli.rss") / 1024 )) MB" >&2; }

start=$(now)
cli "${A[@]}" import "$work/agreements.jsonl" >/dev/null
echo "A: import of $N $DATA: $(since "$start") s, $("${A[@]}" --json sync status | field '["log_change_sets"]') change sets"
peaks
start=$(now)
cli "${A[@]}" sync export --out "$work/all.bundle" >/dev/null
echo "A: bundle of everything: $(stat -c %s "$work/all.bundle") bytes, written in $(since "$start") s"
peaks

a_id=$("${A[@]}" --json identity | field '["office"]')
a_key=$("${A[@]}" --json identity | field '["public_key"]')
"${B[@]}" office add "$a_id" --public-key "$a_key" --name A >/dev/null
start=$(now)
cli "${B[@]}" sync import "$work/all.bundle" >/dev/null
merge=$(since "$start")
echo "B: merge of the bundle ($N new records, each field against the clock table): $merge s"
peaks
reference=$(python3 - "$work/agreements.jsonl" <<'PY'
import json, sqlite3, sys, time
# Each record type a table of its fields, the rows inserted in one transaction (timed: the parsing too).
db = sqlite3.connect(":memory:")
tables = set()
start = time.perf_counter()
with db:
    for line in open(sys.argv[1]):
        record = json.loads(line)
        kind = record.pop("type")
        if kind not in tables:
            db.execute(f'CREATE TABLE "{kind}" (id TEXT PRIMARY KEY, {", ".join(f"{k} TEXT" for k in record if k != "id")})')
            tables.add(kind)
        db.execute(f'INSERT INTO "{kind}" ({", ".join(record)}) VALUES ({", ".join("?" * len(record))})', list(record.values()))
print(round(time.perf_counter() - start, 2))
PY
)
echo "reference: plain SQLite inserts of the same rows, one transaction: $reference s (merge/insert $(python3 -c "print(round($merge / $reference, 1))")x;" \
  "cr-sqlite publishes 5-9 s for 100k changes merged)"

if [ "$DATA" = agreements ]; then
id=$(head -1 "$work/ids.txt")
b_vector=$("${B[@]}" --json sync status | python3 -c "import json,sys; v=json.load(sys.stdin)['vector']; print(','.join(f'{k}:{s}' for k, s in v.items()))")
version=$("${A[@]}" --json agreement show "$id" | field '["agreement"]["version"]')
python3 Benchmarks/rpc.py "$work/a.sock" agreement.update "{\"id\":\"$id\",\"version\":$version,\"set\":{\"place\":\"Bakı\"}}" >/dev/null
"${A[@]}" sync export --since "$b_vector" --out "$work/one.bundle" >/dev/null
echo "bundle of one edit for a peer holding the other $N records: $(stat -c %s "$work/one.bundle") bytes"
"${B[@]}" sync import "$work/one.bundle" >/dev/null
fi

a_listen=$("${A[@]}" --json identity | field '["listen"]')
b_listen=$("${B[@]}" --json identity | field '["listen"]')
b_id=$("${B[@]}" --json identity | field '["office"]')
c_listen=$("${C[@]}" --json identity | field '["listen"]')
c_id=$("${C[@]}" --json identity | field '["office"]')
start=$(now)
"${C[@]}" peer add a "$a_listen" "$a_id" >/dev/null
"${A[@]}" peer add c "$c_listen" "$c_id" >/dev/null
a_holds=$("${A[@]}" --json office list | python3 -c "import json,sys; print([o['holds'] for o in json.load(sys.stdin)['offices'] if o['office']=='$a_id'][0])")
until [ "$("${C[@]}" --json office list | python3 -c "import json,sys; print(([o['holds'] for o in json.load(sys.stdin)['offices'] if o['office']=='$a_id'] or [0])[0])")" = "$a_holds" ]; do sleep 0.5; done
echo "C: caught up from A over a peer connection ($a_holds change sets of A): $(since "$start") s"
for _ in $(seq 120); do
  [ "$("${A[@]}" --json sync status | field '["digest"]')" = "$("${C[@]}" --json sync status | field '["digest"]')" ] && break
  sleep 0.5
done
[ "$("${A[@]}" --json sync status | field '["digest"]')" = "$("${C[@]}" --json sync status | field '["digest"]')" ] \
  && echo "A and C: content digests equal" || echo "A and C: CONTENT DIGESTS DIFFER"
peaks
# The edit benchmark times A and B alone; without it, C stays pinned and all three must end equal.
[ "$EDITS" -gt 0 ] && "${A[@]}" peer rm c >/dev/null
"${B[@]}" peer add a "$a_listen" "$a_id" >/dev/null
"${A[@]}" peer add b "$b_listen" "$b_id" >/dev/null
[ "$EDITS" -gt 0 ] && python3 Benchmarks/sync_bench.py "$work/a.sock" "$work/b.sock" "$work/ids.txt" "$EDITS"
"${A[@]}" sync now | sed "s/^/A: sync now: /"
digests() { for o in "$@"; do "$bin/treaty" --socket "$work/$o.sock" --json sync status | field '["digest"]'; done | sort -u | wc -l; }
offices=(a b); [ "$EDITS" -gt 0 ] || offices=(a b c)
for _ in $(seq 600); do [ "$(digests "${offices[@]}")" = 1 ] && break; sleep 1; done
[ "$(digests "${offices[@]}")" = 1 ] && echo "${offices[*]}: content digests equal" || echo "${offices[*]}: CONTENT DIGESTS DIFFER"
"${A[@]}" peer list | sed "s/^/A: /"
peaks

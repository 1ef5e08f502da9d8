#!/usr/bin/env bash
# Bulk writes beside the pinned SQLite reference (Benchmarks/reference_import.c), measured in the same run, as
# ratios; each figure the median of RUNS runs (default 5):
#
# - import: `treaty import` of N statements (Benchmarks/make_statements.py) into a new office A;
# - merge: A's bundle of everything imported into a new office B (`treaty sync import`);
# - reference: the same lines into the same record tables and the same FTS5 table and tokenizer, one
#   transaction, prepared statements (the schema is dumped from A's database);
# - size: A's database (main file after a checkpoint that empties the WAL, no VACUUM) against the JSON Lines.
#
#   Benchmarks/import.sh [N]          (default 100000; RUNS=1 Benchmarks/import.sh 1000000 for the million)
#
# BIN=DIR uses the treatyd and treaty already built in DIR. Needs gcc, libsqlite3-dev and sqlite3.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
RUNS=${RUNS:-5}
source Benchmarks/common.sh
make_work import
release_bin
gcc -O2 -o "$work/reference_import" Benchmarks/reference_import.c -lsqlite3
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}')" "$1" "$2"; }

python3 Benchmarks/make_statements.py "$N" "$(( N >= 1000 ? N / 1000 : 1 ))" "$work/input.jsonl"
input_bytes=$(stat -c %s "$work/input.jsonl")
records=$(wc -l < "$work/input.jsonl")
echo "input: $records records ($N statements), $input_bytes bytes of JSON Lines; median of $RUNS runs"

imports=(); merges=(); references=(); sizes=()
for run in $(seq "$RUNS"); do
  rm -rf "$work/a" "$work/b" "$work"/*.sock "$work/reference.sqlite"* "$work/all.bundle"
  start_office a; start_office b
  A=("$bin/treaty" --socket "$work/a.sock"); B=("$bin/treaty" --socket "$work/b.sock")
  start=$(now); "${A[@]}" import "$work/input.jsonl" >/dev/null; imports+=("$(since "$start")")
  "${A[@]}" sync export --out "$work/all.bundle" >/dev/null
  "${B[@]}" office add "$("${A[@]}" --json identity | field '["office"]')" \
    --public-key "$("${A[@]}" --json identity | field '["public_key"]')" --name A >/dev/null
  start=$(now); "${B[@]}" sync import "$work/all.bundle" >/dev/null; merges+=("$(since "$start")")
  stop_office a; stop_office b
  sqlite3 "$work/a/treaty.sqlite" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
  sizes+=("$(stat -c %s "$work/a/treaty.sqlite")")
  # The reference: the same tables and FTS5 table, dumped from A's database.
  sqlite3 "$work/a/treaty.sqlite" "SELECT sql || ';' FROM sqlite_schema WHERE name = 'search_fts'
    OR tbl_name IN (SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE '%created_office%')" \
    > "$work/schema.sql"
  references+=("$("$work/reference_import" "$work/reference.sqlite" "$work/schema.sql" "$work/input.jsonl" \
    person:name statement:text)")
  echo "  run $run: import ${imports[-1]} s, merge ${merges[-1]} s, reference ${references[-1]} s, database ${sizes[-1]} bytes"
done
import=$(median "${imports[@]}"); merge=$(median "${merges[@]}"); reference=$(median "${references[@]}")
size=$(median "${sizes[@]}")
rate() { python3 -c "import sys; print(round(int(sys.argv[1]) / float(sys.argv[2])))" "$records" "$1"; }
printf "%-10s %9s %12s | %-34s %9s | %s\n" what seconds "records/s" reference "seconds" ratio
printf "%-10s %9s %12s | %-34s %9s | %sx\n" import "$import" "$(rate "$import")" "SQLite, same tables and FTS5" "$reference" "$(ratio "$import" "$reference")"
printf "%-10s %9s %12s | %-34s %9s | %sx\n" merge "$merge" "$(rate "$merge")" "SQLite, same tables and FTS5" "$reference" "$(ratio "$merge" "$reference")"
echo "           (cr-sqlite publishes 11,000-20,000 merged changes/s: 100,000 in 5-9 s on an M1 Max)"
printf "%-10s %9s bytes, %sx the JSON Lines (%s bytes)\n" database "${size%.*}" \
  "$(python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}')" "$size" "$input_bytes")" "$input_bytes"

# What the benchmarks share; sourced from the repository's root (`source Benchmarks/common.sh`).

# A work directory in $work, removed at exit with every daemon whose pid file is in it.
make_work() { # name
  work=$(mktemp -d "/var/tmp/treaty-$1.XXXXXX")
  trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
}

# The release binaries' directory in $bin: BIN=DIR uses ones built already, else a release build.
release_bin() {
  if [ -n "${BIN:-}" ]; then bin=$BIN; else swift build -c release --static-swift-stdlib >/dev/null; bin=.build/release; fi
}

median() { python3 -c "import statistics, sys; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }
now() { date +%s.%N; }
since() { python3 -c "import sys; print(round($(now) - float(sys.argv[1]), 2))" "$1"; } # seconds since a now
field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }                  # a field of JSON on stdin

# Starts treatyd for office NAME in $work/NAME (socket $work/NAME.sock, log $work/NAME.log, pid $work/NAME.pid), with
# any further treatyd flags, and returns once it answers.
start_office() { # name [flags...]
  local name=$1; shift
  "$bin/treatyd" --state-dir "$work/$name" --socket "$work/$name.sock" --log-level warning "$@" 2>"$work/$name.log" &
  echo $! > "$work/$name.pid"
  for _ in $(seq 100); do [ -S "$work/$name.sock" ] && return; sleep 0.1; done
  echo "treatyd $name did not start" >&2; exit 1
}
stop_office() { # name
  kill "$(cat "$work/$1.pid")"; while kill -0 "$(cat "$work/$1.pid")" 2>/dev/null; do sleep 0.1; done; rm "$work/$1.pid"
}

"""Measures sync between two running treatyd (A and B, peers of each other), for Benchmarks/sync.sh.

    python3 sync_bench.py A.sock B.sock IDS.txt EDITS

1. One edit on A to a peer holding everything: the bytes A sends B for it (frames, from A's peer counters)
   and the time until B serves the new value.
2. EDITS single-record edits on A, one change set each: the time until B holds them all, as change sets/s.
"""
import statistics
import sys
import time

from rpc import Client

a_path, b_path, ids_path, edits = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
a, b = Client(a_path), Client(b_path)
ids = [line.strip() for line in open(ids_path)][:max(edits, 20)]
a_office = a.call("identity")["office"]


def holds(client):
    # sync.offices, not sync.status: status also digests the whole content, each time the vector moved.
    return next((o["holds"] for o in client.call("sync.offices")["offices"] if o["office"] == a_office), 0)


def b_holds():
    return holds(b)


def bytes_to_b():
    peers = a.call("peer.list")["peers"]
    return sum(p["traffic"]["bytes_sent"] for p in peers)


def wait_caught_up():
    target = holds(a)
    while b_holds() < target:
        time.sleep(0.005)


wait_caught_up()
time.sleep(3)  # let the connection go quiet: acks and polls of the catch-up are not counted
latencies, sizes = [], []
for i in range(20):
    record = a.call("agreement.get", {"id": ids[i]})
    before = bytes_to_b()
    start = time.perf_counter()
    a.call("agreement.update", {"id": ids[i], "version": record["version"], "set": {"place": f"Bakı {i}"}})
    while b.call("agreement.get", {"id": ids[i]}).get("place") != f"Bakı {i}":
        time.sleep(0.001)
    latencies.append(time.perf_counter() - start)
    time.sleep(0.3)  # the pass's closing frames (caught_up, ack) are counted too
    sizes.append(bytes_to_b() - before)
print(f"one edit to a peer holding everything: {statistics.median(sizes):.0f} bytes sent (median of 20, frames "
      f"before TLS; max {max(sizes)}), visible on the peer after {statistics.median(latencies) * 1000:.1f} ms "
      f"(median; max {max(latencies) * 1000:.1f} ms)")

start = time.perf_counter()
for i in range(edits):
    record = a.call("agreement.get", {"id": ids[i]})
    a.call("agreement.update", {"id": ids[i], "version": record["version"], "set": {"note": f"edit {i}"}})
written = time.perf_counter() - start
wait_caught_up()
total = time.perf_counter() - start
print(f"{edits} edits on A, one change set each: written in {written:.1f} s; all on B after {total:.1f} s "
      f"({edits / total:.0f} change sets/s end to end)")

"""Times a search for one word directly in SQLite, 200 runs (fewer when they pass 30 s, at least 10: ranking a word
in every one of a million statements takes over a second a query), and prints the number of matches and the p50
and p99 milliseconds.

    python3 direct_search.py DATABASE WORD           the two FTS5 queries treatyd's search runs
    python3 direct_search.py DATABASE WORD --raw     the raw query: MATCH the word, ORDER BY rank, LIMIT 20
"""
import sqlite3
import statistics
import sys
import time

database, word, raw = sys.argv[1], sys.argv[2], "--raw" in sys.argv[3:]
db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
match = f'text : "{word}"' if raw else f'(text : "{word}" OR phonetic : "{word}")'
count = db.execute("SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", (match,)).fetchone()[0]
# The two queries SearchIndex.search runs (the index is contentless: ids come from record_index by rowid).
source = "search_fts JOIN record_index r ON r.seq = search_fts.rowid"
times = []
budget = time.perf_counter() + 30
while len(times) < 200 and (len(times) < 10 or time.perf_counter() < budget):
    start = time.perf_counter()
    if raw:
        db.execute("SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY rank LIMIT 20", (match,)).fetchall()
    else:
        # More matches than the ranking window: the newest 60, unranked; else all of them by bm25.
        full = db.execute(f"SELECT search_fts.rowid FROM {source} WHERE search_fts MATCH ? "
                          "ORDER BY search_fts.rowid DESC LIMIT 1 OFFSET 1999", (match,)).fetchone()
        if full:
            db.execute(f"SELECT r.kind, r.id, 0.0 AS score FROM {source} WHERE search_fts MATCH ? "
                       "ORDER BY search_fts.rowid DESC LIMIT 60", (match,)).fetchall()
        else:
            db.execute(f"SELECT r.kind, r.id, bm25(search_fts, 10.0, 1.0) AS score FROM {source} "
                       "WHERE search_fts MATCH ? ORDER BY score, r.id LIMIT 60", (match,)).fetchall()
    times.append(time.perf_counter() - start)
times.sort()
print(count, f"{statistics.median(times) * 1000:.3f}", f"{times[int(len(times) * 0.99) - 1] * 1000:.3f}")

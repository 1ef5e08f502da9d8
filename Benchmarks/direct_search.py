"""Times the FTS5 queries treatyd's search runs for one word, directly in SQLite, and prints the number of
matches and the median milliseconds over 200 runs.

    python3 direct_search.py DATABASE WORD
"""
import sqlite3
import statistics
import sys
import time

database, word = sys.argv[1], sys.argv[2]
db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
match = f'(text : "{word}" OR phonetic : "{word}")'
count = db.execute("SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", (match,)).fetchone()[0]
# The two queries SearchIndex.search runs (the index is contentless: ids come from record_index by rowid).
source = "search_fts JOIN record_index r ON r.seq = search_fts.rowid"
times = []
for _ in range(200):
    start = time.perf_counter()
    floor = db.execute(f"SELECT search_fts.rowid FROM {source} WHERE search_fts MATCH ? "
                       "ORDER BY search_fts.rowid DESC LIMIT 1 OFFSET 1999", (match,)).fetchone()
    db.execute(f"SELECT r.kind, r.id, bm25(search_fts, 10.0, 1.0) AS score FROM {source} "
               "WHERE search_fts MATCH ? AND search_fts.rowid >= ? ORDER BY score LIMIT 60",
               (match, floor[0] if floor else -(2 ** 63))).fetchall()
    times.append(time.perf_counter() - start)
print(count, f"{statistics.median(times) * 1000:.3f}")

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
times = []
for _ in range(200):
    start = time.perf_counter()
    floor = db.execute("SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET 1999",
                       (match,)).fetchone()
    db.execute("SELECT kind, id, text, bm25(search_fts, 0.0, 0.0, 10.0, 1.0) AS score FROM search_fts "
               "WHERE search_fts MATCH ? AND rowid >= ? ORDER BY score LIMIT 60",
               (match, floor[0] if floor else -(2 ** 63))).fetchall()
    times.append(time.perf_counter() - start)
print(count, f"{statistics.median(times) * 1000:.3f}")

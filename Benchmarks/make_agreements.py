"""Writes AGREEMENTS synthetic agreements as Treaty JSON Lines, and their ids one per line.

Every title has "partnership" (a very common word), a third have "naval" (common), ten have "zephyrian"
(rare). Seeded, so a run is reproducible.

    python3 make_agreements.py COUNT OUT.jsonl IDS.txt
"""
import json
import random
import sys

count, out, ids_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rng = random.Random(20251008)
alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
words = ("defence security exercise training industry procurement research intelligence border navy air "
         "logistics cyber space nuclear missile armour engineering medical transport").split()
kinds = ["treaty", "memorandum", "declaration", "agreement", "protocol"]
rare = set(rng.sample(range(count), min(10, count)))
with open(out, "w") as lines, open(ids_path, "w") as ids:
    for i in range(count):
        rid = "".join(rng.choice(alphabet) for _ in range(20))
        topic = " ".join(rng.choice(words) for _ in range(6))
        title = f"Agreement on {topic} partnership"
        if i % 3 == 0:
            title += " and naval affairs"
        if i in rare:
            title += " (zephyrian annex)"
        summary = " ".join(rng.choice(words) for _ in range(30))
        lines.write(json.dumps({"type": "agreement", "id": rid, "kind": rng.choice(kinds), "title": title,
                                "summary": summary}) + "\n")
        ids.write(rid + "\n")

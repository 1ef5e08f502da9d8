"""Writes SPEAKERS people and STATEMENTS statements by them as Treaty JSON Lines (people first), about 377 bytes
a line like the register that found the limits of one change set (1,000,000 statements by 1,000 speakers made
377 MB). Seeded, so a run is reproducible.

    python3 make_statements.py STATEMENTS SPEAKERS OUT.jsonl [--word-classes]

With --word-classes, four words are planted for search benchmarks: "zephyrian" in 10 statements, "meridian" in 1%,
"harbour" in 20% and "accord" in every one (none of them is in the vocabulary the rest is drawn from).
"""
import json
import random
import sys

count, speakers, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
word_classes = "--word-classes" in sys.argv[4:]
rng = random.Random(20261203)
alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
given = "İlham Rizvan Aydın Zakir Elmar Mevlüt Hulusi Recep Ahmet Mehmet Nurlan Sergei Olena Maria Tomasz".split()
family = "Əliyev Nəbiyev Mirzəzadə Həsənov Məmmədyarov Çavuşoğlu Akar Erdoğan Yılmaz Kowalski Shevchenko".split()
words = ("defence security exercise training industry procurement research intelligence border navy air "
         "logistics cyber space nuclear missile armour engineering medical transport partnership alliance "
         "cooperation treaty ratification parliament ministry strategic regional stability").split()
modes = ["quote", "paraphrase", "summary"]
stances = ["supportive", "critical", "neutral", "mixed"]


def rid():
    return "".join(rng.choice(alphabet) for _ in range(20))


with open(out, "w") as lines:
    people = []
    for i in range(speakers):
        people.append(rid())
        name = f"{rng.choice(given)} {rng.choice(family)} {i}"
        lines.write(json.dumps({"type": "person", "id": people[-1], "name": name}, ensure_ascii=False) + "\n")
    for i in range(count):
        text = " ".join(rng.choice(words) for _ in range(27))
        if word_classes:
            planted = ["accord"] + (["harbour"] if i % 5 == 0 else []) + (["meridian"] if i % 100 == 0 else [])
            text += " " + " ".join(planted + (["zephyrian"] if i % max(count // 10, 1) == 0 else []))
        record = {"type": "statement", "id": rid(), "speaker_id": rng.choice(people), "text": text,
                  "date": f"{rng.randint(2015, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                  "mode": rng.choice(modes), "language": "en", "stance": rng.choice(stances)}
        lines.write(json.dumps(record, ensure_ascii=False) + "\n")

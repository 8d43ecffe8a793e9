"""Write benchmarks/bench_sample.jsonl from the faces-dev labels (run from the repository root).

The images stay in ../shared/data/faces-dev (referenced by relative path, never
copied). Items: every image as a seven-way close-set question; every third image
as a four-option close-set question, an open-set question, and (where the label
has a clear valence) a valence question.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from emotool.labels import EMOTIONS

HERE = Path(__file__).resolve().parent
FACES = HERE.parent.parent / "shared" / "data" / "faces-dev"
VALENCE = {
    "happiness": "positive",
    "neutral": "neutral",
    "anger": "negative",
    "disgust": "negative",
    "fear": "negative",
    "sadness": "negative",
}


def main() -> None:
    rows = list(csv.DictReader((FACES / "labels.csv").open()))
    rel = Path(os.path.relpath(FACES / "images", HERE))
    items = []
    for i, r in enumerate(rows):
        media, gold = (rel / r["image"]).as_posix(), r["emotion"]
        stem = Path(r["image"]).stem
        items.append({"id": f"{stem}-close7", "media": media, "task": "close_set", "answer": gold})
        if i % 3 == 0:
            others = [e for e in EMOTIONS if e != gold]
            opts = sorted([gold, *(others[(i + k * 2) % len(others)] for k in range(3))])
            items.append(
                {"id": f"{stem}-close4", "media": media, "task": "close_set", "options": opts, "answer": gold}
            )
        if i % 3 == 1:
            items.append(
                {
                    "id": f"{stem}-open",
                    "media": media,
                    "task": "open_set",
                    "answer": gold,
                    "question": "How does this person feel? Name it in your own words.",
                }
            )
        if i % 3 == 2 and gold in VALENCE:
            items.append(
                {"id": f"{stem}-valence", "media": media, "task": "valence_arousal", "answer": VALENCE[gold]}
            )
    out = HERE / "bench_sample.jsonl"
    out.write_text("".join(json.dumps(x) + "\n" for x in items))
    print(f"{out.relative_to(HERE.parent)}: {len(items)} items")


if __name__ == "__main__":
    main()

"""Read every image and video in a folder and write one JSON reading per line.

Usage: python examples/analyze_folder.py FOLDER [OUT.jsonl]

Files emotool cannot read are reported and skipped; the rest go on.
"""

from __future__ import annotations

import sys
from pathlib import Path

from emotool import Analyzer
from emotool.errors import EmotoolError
from emotool.media import MediaPolicy

MEDIA = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".mp4", ".webm", ".avi", ".mov", ".gif"}


def main(folder: str, out: str = "readings.jsonl") -> int:
    root = Path(folder).resolve()
    analyzer = Analyzer(policy=MediaPolicy(allowed_roots=[root]))
    analyzer.warmup()
    failed = 0
    with open(out, "w", encoding="utf-8") as sink:
        for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in MEDIA):
            try:
                reading = analyzer.analyze(path, progress=True)
            except EmotoolError as exc:
                failed += 1
                print(f"skipped {path.name}: {exc}", file=sys.stderr)
                continue
            sink.write(reading.model_dump_json() + "\n")
            print(f"{path.name}: {reading.label or 'no face'} ({reading.confidence:.0%})")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:3]))

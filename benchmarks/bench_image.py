"""Per-stage latency of the perception stage on faces-dev photos, and detector recall.

Usage: python benchmarks/bench_image.py [--data DIR] [--repeat N]

Prints p50/p95 milliseconds per 250x250 photo for decode (PIL), detect, classify and
total, for the default FacePipeline and the fer baseline, after warm-up; then how many
faces-dev photos each detector finds the labelled (central) face in.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from emotool.perception.baseline import FerBaselinePipeline
from emotool.perception.detect import get_detector
from emotool.perception.pipeline import FacePipeline

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "faces-dev"


def decode(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


def bench(pipe, paths: list[Path], repeat: int) -> dict[str, list[float]]:
    pipe.warmup()
    for p in paths[:5]:
        pipe.analyze(decode(p))
    t: dict[str, list[float]] = {"decode": [], "detect": [], "classify": [], "total": []}
    for _ in range(repeat):
        for p in paths:
            t0 = time.perf_counter()
            rgb = decode(p)
            t1 = time.perf_counter()
            res = pipe.analyze(rgb)
            t2 = time.perf_counter()
            t["decode"].append((t1 - t0) * 1e3)
            t["detect"].append(res.detect_ms)
            t["classify"].append(res.classify_ms)
            t["total"].append((t2 - t0) * 1e3)
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="a faces-dev-like folder")
    ap.add_argument("--repeat", type=int, default=3, help="passes over the images")
    ap.add_argument(
        "--size", type=int, default=250, help="photos are resized to SIZE x SIZE (0: as they are)"
    )
    args = ap.parse_args()
    originals = sorted((args.data / "images").glob("*.jpg"))
    if not originals:
        raise SystemExit(f"no images under {args.data / 'images'}")
    tmp = Path(tempfile.mkdtemp(prefix="emotool-bench-"))
    paths = []
    for p in originals:
        with Image.open(p) as im:
            im = im.convert("RGB")
            if args.size:
                im = im.resize((args.size, args.size), Image.Resampling.LANCZOS)
            im.save(tmp / p.name, quality=90)
        paths.append(tmp / p.name)

    size = f"{args.size}x{args.size}" if args.size else "original size"
    print(f"{len(paths)} faces-dev photos ({size} JPEG), {args.repeat} passes, after warm-up (ms)")
    print(f"{'pipeline':<14}{'stage':<10}{'p50':>8}{'p95':>8}")
    for name, pipe in (("emotool", FacePipeline()), ("fer-baseline", FerBaselinePipeline())):
        for stage, vals in bench(pipe, paths, args.repeat).items():
            print(f"{name:<14}{stage:<10}{np.percentile(vals, 50):8.1f}{np.percentile(vals, 95):8.1f}")

    from emotool.analyzer import Analyzer
    from emotool.media import MediaPolicy

    analyzer = Analyzer(policy=MediaPolicy(allowed_roots=[tmp]))
    analyzer.warmup()
    for p in paths[:5]:
        analyzer.analyze_image(p)
    ms = []
    for _ in range(args.repeat):
        for p in paths:
            t0 = time.perf_counter()
            analyzer.analyze_image(p)
            ms.append((time.perf_counter() - t0) * 1e3)
    print(
        f"{'Analyzer':<14}{'total':<10}{np.percentile(ms, 50):8.1f}{np.percentile(ms, 95):8.1f}"
        "   (file -> explained EmotionReading, as EmotionTool does)"
    )

    print("\ndetector recall on the labelled (central) face")
    print(f"{'detector':<10}{'found':>8}{'p50 ms':>9}")
    images = [decode(p) for p in paths]
    for name in ("haar", "mtcnn", "auto"):
        det = get_detector(name)
        det.warmup()
        hits, ms = 0, []
        for img in images:
            h, w = img.shape[:2]
            t0 = time.perf_counter()
            faces = det.detect(img)
            ms.append((time.perf_counter() - t0) * 1e3)
            hits += any(f.x1 < w / 2 < f.x2 and f.y1 < h / 2 < f.y2 for f in faces)
        print(f"{name:<10}{f'{hits}/{len(images)}':>8}{np.median(ms):9.1f}")


if __name__ == "__main__":
    main()

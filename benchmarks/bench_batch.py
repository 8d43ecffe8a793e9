"""Files per second of ``emotool batch``: one process, two worker processes, two Ray actors.

The inputs are short videos composed from the photos scikit-image ships
(``emotool.samples``): a handful of distinct clips (the four-expression
sequence and the two-face clip, at a few lengths and sizes), copied to the
number of files asked for. Each engine reads the same folder into its own
JSONL file; the table gives the wall time including start-up (worker processes
or the local Ray cluster, and loading the models), the steady rate between the
first and the last file, and the ratio of each to the single process.

Usage:
    python benchmarks/bench_batch.py [--files 200] [--seconds 2] [--engines local1,local2,ray2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any


def make_videos(folder: Path, files: int, seconds: float) -> list[Path]:
    """``files`` short videos in ``folder``: eight distinct clips, copied round-robin."""
    from emotool.samples import sample_video, two_face_video

    folder.mkdir(parents=True, exist_ok=True)
    distinct = []
    for i, (size, fps) in enumerate([((320, 240), 15), ((480, 360), 15), ((320, 240), 25), ((640, 480), 10)]):
        distinct.append(sample_video(folder / f"seq{i}.mp4", seconds=seconds, size=size, fps=fps))
        distinct.append(two_face_video(folder / f"pair{i}.mp4", seconds=seconds, size=size, fps=fps))
    out = list(distinct[:files])
    for k in range(len(out), files):
        dst = folder / f"clip{k:04d}.mp4"
        shutil.copyfile(distinct[k % len(distinct)], dst)
        out.append(dst)
    return out


def _spin(seconds: float) -> int:
    t0, n = time.perf_counter(), 0
    while time.perf_counter() - t0 < seconds:
        n += 1
    return n


def parallel_ceiling(workers: int = 2, seconds: float = 3.0) -> float:
    """How much faster ``workers`` busy processes are than one on this machine right now.

    A pure-Python loop shares nothing, so its speed-up is the most any engine can reach
    here (2.0 on two idle dedicated cores; less when the cores are shared or throttled).
    """
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    with ctx.Pool(workers) as pool:
        solo = pool.apply(_spin, (seconds,))
        together = sum(pool.map(_spin, [seconds] * workers))
    return together / solo


def run(engine: str, workers: int, folder: Path, out: Path) -> dict[str, Any]:
    from emotool.serve.batch import BatchOptions, run_batch

    stamps: list[float] = []
    t0 = time.perf_counter()
    summary = run_batch(
        [folder],
        out,
        engine=engine,
        workers=workers,
        options=BatchOptions(verbal=False),
        progress=False,
        on_record=lambda _: stamps.append(time.perf_counter()),
    )
    wall = time.perf_counter() - t0
    steady = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else float("nan")
    return {
        "files": summary.done + summary.failed,
        "failed": summary.failed,
        "wall_s": wall,
        "rate": (summary.done + summary.failed) / wall,
        "steady": steady,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=2.0, help="length of each video")
    ap.add_argument("--engines", default="local1,local2,ray2")
    args = ap.parse_args()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    with tempfile.TemporaryDirectory(prefix="emotool-bench-batch-") as tmp:
        folder = Path(tmp) / "videos"
        t = time.perf_counter()
        make_videos(folder, args.files, args.seconds)
        print(
            f"{args.files} videos of {args.seconds:g} s made in {time.perf_counter() - t:.1f} s; "
            f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start"
        )
        ceiling = parallel_ceiling()
        print(f"two busy processes run {ceiling:.2f}x one here (the ceiling of any 2-worker engine)")
        rows = []
        for spec in args.engines.split(","):
            engine, workers = spec.rstrip("0123456789"), int(spec[len(spec.rstrip("0123456789")) :] or 1)
            r = run(engine, workers, folder, Path(tmp) / f"{spec}.jsonl")
            r["name"] = f"{engine} ({workers} {'process' if workers == 1 else 'workers'})"
            rows.append(r)
            print(f"  {r['name']}: {r['files']} files in {r['wall_s']:.1f} s", flush=True)
    base = rows[0]
    print()
    print("| engine | files | failed | wall s | files/s (with start-up) | x | files/s (steady) | x |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['name']} | {r['files']} | {r['failed']} | {r['wall_s']:.1f} | {r['rate']:.2f} | "
            f"{r['rate'] / base['rate']:.2f} | {r['steady']:.2f} | {r['steady'] / base['steady']:.2f} |"
        )
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

"""Quality and speed of emotool's face pipeline against fer's own, on every labelled set.

Runs :func:`emotool.evaluation.evaluate_faces` with emotool's ``FacePipeline`` and the
reference peer ``FerBaselinePipeline`` on faces-dev (``../shared/data/faces-dev`` beside
the checkout) and on each set fetched with ``benchmarks/datasets.py``, then prints one
side-by-side table (accuracy, macro-F1, p50 ms per image, faces found) and the command
that reproduces it.

Usage::

    python benchmarks/datasets.py fetch all          # once: the gathered sets
    python benchmarks/bench_eval.py [--json FILE] [--set DIR ...] [--no-baseline]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FACES_DEV = HERE.parents[1] / "shared" / "data" / "faces-dev"


def default_sets() -> list[Path]:
    """faces-dev plus every gathered set that has been fetched into the cache."""
    sys.path.insert(0, str(HERE))
    from datasets import SETS, VARIANTS, cache_root, derive

    found = [FACES_DEV] if (FACES_DEV / "labels.csv").is_file() else []
    if found:  # the harder variants of faces-dev: small faces in a room, tilted heads
        for kind in VARIANTS:
            folder = cache_root() / f"faces-dev-{kind}"
            if not (folder / "labels.csv").is_file():
                derive(FACES_DEV, kind, folder)
            found.append(folder)
    missing = []
    for name in SETS:
        folder = cache_root() / name
        if (folder / "labels.csv").is_file():
            found.append(folder)
        else:
            missing.append(name)
    if missing:
        print(
            f"not fetched (skipped): {', '.join(missing)}; run `python benchmarks/datasets.py fetch all`",
            file=sys.stderr,
        )
    return found


def main(argv: list[str] | None = None) -> int:
    """Evaluate, print the table, optionally write every report as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--set", dest="sets", type=Path, action="append", help="a labelled folder (repeatable)"
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip fer's reference pipeline")
    parser.add_argument("--json", type=Path, help="also write the full reports to this file")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)

    from emotool.evaluation import BASELINE, evaluate_faces, format_report

    sets = args.sets or default_sets()
    if not sets:
        print("no labelled set found", file=sys.stderr)
        return 1

    from emotool.perception.pipeline import FacePipeline

    analyzers = {"emotool": FacePipeline().analyze}
    if not args.no_baseline:
        from emotool.perception.baseline import FerBaselinePipeline

        analyzers[BASELINE] = FerBaselinePipeline().analyze

    reports = [evaluate_faces(d, analyzers, progress=not args.quiet) for d in sets]

    names = list(analyzers)
    head = f"{'data set':17} {'images':>6}"
    for n in names:
        head += f" | {n + ' acc':>12} {'macro-F1':>8} {'p50 ms':>7} {'faces':>7}"
    print(head)
    print("-" * len(head))
    for r in reports:
        line = f"{r.dataset.name:17} {r.images:>6}"
        for s in r.all_scores().values():
            line += (
                f" | {100 * s.accuracy:>11.1f}% {100 * s.macro_f1:>7.1f}% {s.ms_per_image_p50:>7.1f}"
                f" {s.faces_found:>3}/{s.images:<3}"
            )
        print(line)
    print()
    cmd = "python benchmarks/bench_eval.py" + (" --no-baseline" if args.no_baseline else "")
    if args.sets:
        cmd += "".join(f" --set {d}" for d in args.sets)
    print(f"reproduce: python benchmarks/datasets.py fetch all && {cmd}")
    print("(macro-F1 averages the classes present in each set; a photo with no face found is a miss)")
    if args.json:
        args.json.write_text(json.dumps([r.model_dump() for r in reports], indent=2))
    if not args.quiet:
        for r in reports:
            print("\n" + format_report(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())

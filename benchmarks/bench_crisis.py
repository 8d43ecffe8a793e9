"""Crisis detection: what each layer adds, on crisis_dev.jsonl (dev and held-out) and on empathysync.

    python benchmarks/bench_crisis.py               # the table (about 10 s on one core)
    python benchmarks/bench_crisis.py --calibrate   # the semantic threshold grid, dev split only

Rows per data set: lexicon only, + semantic (prototype similarity), + classifier
(the learned head, ``benchmarks/train_crisis_head.py``), + context (the default
detector), the default without the classifier, and the semantic layer and the
classifier alone. Columns: recall over crisis, false alarms over safe (flagged
crisis), distress escalated to crisis, precision, and ms per message (p50/p95,
after the encoder is loaded). The judge is not used.
``../shared/data/crisis/empathysync.jsonl`` is read in place when present.
Thresholds, rules, prototypes and the classifier were fitted on the dev split
only (so dev figures are in-sample; the classifier's cross-validated figures
are printed by ``train_crisis_head.py``); the held-out split was never used
for tuning.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("EMOTOOL_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "benchmarks" / "crisis_dev.jsonl"
EMPATHYSYNC = ROOT.parent / "shared" / "data" / "crisis" / "empathysync.jsonl"

ABLATIONS: list[tuple[str, tuple[str, ...]]] = [
    ("lexicon", ("lexicon",)),
    ("+semantic", ("lexicon", "semantic")),
    ("+classifier", ("lexicon", "semantic", "classifier")),
    ("+context (default)", ("lexicon", "semantic", "classifier", "context")),
    ("default - classifier", ("lexicon", "semantic", "context")),
    ("semantic alone", ("semantic",)),
    ("classifier alone", ("classifier",)),
]


def _sets() -> list[tuple[str, list]]:
    from emotool.eval.crisis import load_items

    sets = [("dev", load_items(DEV, split="dev")), ("heldout", load_items(DEV, split="heldout"))]
    if EMPATHYSYNC.is_file():
        sets.append(("empathysync", load_items(EMPATHYSYNC)))
    else:
        print(f"(empathysync not found at {EMPATHYSYNC}; skipped)", file=sys.stderr)
    return sets


def _pct(v: float | None) -> str:
    return "  n/a" if v is None else f"{100 * v:5.1f}"


def table() -> None:
    from emotool.eval.crisis import score
    from emotool.safety import SafetySettings, assess, warmup

    t0 = time.perf_counter()
    warmup()
    load_s = time.perf_counter() - t0
    print(f"encoder load + prototype embedding: {load_s:.1f} s (once per process)\n")
    cols = ["recall", "false al.", "distr.->cr", "precision", "ms p50", "ms p95"]
    head = f"{'data set':<12} {'layers':<20} {'n':>4} " + " ".join(f"{c:>10}" for c in cols)
    print(head)
    print("-" * len(head))
    for name, items in _sets():
        for label, layers in ABLATIONS:
            settings = SafetySettings(layers=layers)  # type: ignore[arg-type]
            preds, times = [], []
            for it in items:
                a = assess(it.text, history=it.history, settings=settings)
                preds.append(a.level)
                times.append(a.ms)
            r = score(items, preds, times)
            print(
                f"{name:<12} {label:<20} {r.n:>4} {_pct(r.recall):>10} {_pct(r.false_alarm_rate):>10} "
                f"{_pct(r.distress_escalated):>10} {_pct(r.precision):>10} {r.ms_per_message_p50:>10.2f} "
                f"{r.ms_per_message_p95:>10.2f}"
            )
        print()


def calibrate() -> None:
    """The threshold grid of the semantic layer alone, on the dev split only."""
    import numpy as np

    from emotool.eval.crisis import load_items
    from emotool.safety.normalize import normalize
    from emotool.safety.semantic import get_scorer

    items = load_items(DEV, split="dev")
    scores = get_scorer().score([normalize(it.text).text for it in items])
    labels = np.array([it.label for it in items])
    c = np.array([s.crisis for s in scores])
    m = np.array([s.margin for s in scores])
    print(f"{'crisis >=':>9} {'margin >=':>9} {'recall':>7} {'false al.':>9} {'distr.->cr':>10}")
    for t in np.arange(0.40, 0.62, 0.02):
        for mm in (0.0, 0.03, 0.06, 0.09):
            pred = (c >= t) & (m >= mm)
            rec, fa, de = (100 * pred[labels == k].mean() for k in ("crisis", "safe", "distress"))
            print(f"{t:>9.2f} {mm:>9.2f} {rec:>7.1f} {fa:>9.1f} {de:>10.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calibrate", action="store_true", help="print the semantic threshold grid on dev")
    ap.add_argument("--json", action="store_true", help="also print each set's report as JSON")
    args = ap.parse_args()
    if args.calibrate:
        calibrate()
        return
    table()
    if args.json:
        from emotool.eval.crisis import evaluate

        for name, items in _sets():
            print(json.dumps({"set": name, **evaluate(items).model_dump()}))


if __name__ == "__main__":
    main()

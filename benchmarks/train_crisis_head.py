"""Train the crisis detector's learned classifier (the ``classifier`` layer) on the dev split only.

    python benchmarks/train_crisis_head.py           # the CV table, then write the head into the package
    python benchmarks/train_crisis_head.py --check   # retrain, compare with the shipped head (writes nothing)

The head is ``emotool/safety/data/crisis_head_use-m3.npz``.

Training data: the ``dev`` rows of ``benchmarks/crisis_dev.jsonl`` without a
``history`` (the classifier reads one message; the context layer reads the
conversation), plus the prototypes of ``emotool.safety.prototypes``. Labels:
``crisis`` is 1; ``distress`` and ``safe`` are 0. The ``heldout`` rows are never
read. Features and model: see :mod:`emotool.safety.head`.

Choice by cross-validation on dev only (stratified 10-fold, repeated with 2
seeds; the prototypes are always in the training part, never scored): for each
regularisation ``C``, the crisis threshold is the lowest at which the whole
detector out of fold (the other layers, plus the classifier's crisis unless a
lexicon negation, idiom, denial or third party caps it) flags at most 2.5 points more of
the dev ``safe`` messages than without the classifier; the ``C`` with the
highest whole-detector recall wins (concern threshold: where the classifier
alone flags at most 15% of safe messages). The table shows the classifier
alone and the whole detector, overall and on the dev rows marked
``unseen_by_rules`` (written after the lexicon rules and never used to write
rules or prototypes: the honest estimate for messages unlike the ones the
rules were written from).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("EMOTOOL_THREADS", "1")

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from emotool.safety.head import CrisisHead

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "benchmarks" / "crisis_dev.jsonl"
C_GRID = (0.01, 0.03, 0.1)
SEEDS = (0, 1)
FOLDS = 10
#: The most the classifier may add to the share of dev safe messages flagged crisis (out of fold).
ADDED_FALSE_ALARMS = 0.025
#: The share of dev safe messages the classifier alone may flag as concern.
SAFE_FLAGGED_CONCERN = 0.15


def _folds(strata: np.ndarray, k: int, seed: int) -> list[np.ndarray]:
    """Stratified folds: the test indices of each fold."""
    rng = np.random.default_rng(seed)
    out: list[list[int]] = [[] for _ in range(k)]
    for s in sorted(set(strata.tolist())):
        idx = np.flatnonzero(strata == s)
        rng.shuffle(idx)
        offset = int(rng.integers(k))
        for j, i in enumerate(idx):
            out[(j + offset) % k].append(int(i))
    return [np.array(sorted(f)) for f in out]


def _data() -> dict[str, np.ndarray]:
    """Embeddings, signals and prototype similarities of the dev messages and the prototypes."""
    import json

    from emotool.safety import SafetySettings, assess, warmup
    from emotool.safety.detector import _match_all
    from emotool.safety.head import capped, signals
    from emotool.safety.normalize import normalize
    from emotool.safety.prototypes import CRISIS, NOT_CRISIS
    from emotool.safety.semantic import get_scorer

    warmup()
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r.get("split") == "dev" and not r.get("history")]
    scorer = get_scorer()
    pc, po = scorer.prototype_vectors()
    texts = [r["text"] for r in rows] + [t for t, _ in CRISIS] + [t for t, _ in NOT_CRISIS]
    norm = [normalize(t) for t in texts]
    vectors, _ = scorer.embed_and_score([n.text for n in norm])
    lex = [_match_all(n) for n in norm]
    sigs = np.stack([signals(x) for x in lex])
    lex_cap = np.array([capped(x) for x in lex])
    sc, so = vectors @ pc.T, vectors @ po.T
    n_dev = len(rows)
    # a prototype is not compared with itself
    for j in range(len(CRISIS)):
        sc[n_dev + j, j] = -2.0
    for j in range(len(NOT_CRISIS)):
        so[n_dev + len(CRISIS) + j, j] = -2.0
    others = SafetySettings(layers=("lexicon", "semantic", "context"))
    base = [assess(r["text"], settings=others).level for r in rows]
    return {
        "vectors": vectors.astype(np.float32),
        "sigs": sigs,
        "crisis_sim": np.sort(sc, axis=1)[:, -3:].mean(axis=1),
        "other_sim": np.sort(so, axis=1)[:, -3:].mean(axis=1),
        "y": np.array([r["label"] == "crisis" for r in rows] + [1] * len(CRISIS) + [0] * len(NOT_CRISIS)),
        "label": np.array([r["label"] for r in rows] + ["crisis"] * len(CRISIS) + ["safe"] * len(NOT_CRISIS)),
        "is_dev": np.arange(len(texts)) < n_dev,
        "unseen": np.array([bool(r.get("unseen_by_rules")) for r in rows] + [False] * (len(texts) - n_dev)),
        "base_crisis": np.array([b == "crisis" for b in base] + [False] * (len(texts) - n_dev)),
        "cap": lex_cap,
    }


def _fit(d: dict[str, np.ndarray], train: np.ndarray, c: float) -> CrisisHead:
    from emotool.safety.head import CrisisHead, features, fit_logistic, nearest_similarities

    v, y = d["vectors"][train], d["y"][train].astype(np.int64)
    near = nearest_similarities(v, v, y, exclude_self=True)
    x = features(v, d["sigs"][train], d["crisis_sim"][train], d["other_sim"][train], near)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    w, b = fit_logistic((x - mean) / scale, y.astype(np.float64), c)
    return CrisisHead(
        encoder="use-m3",
        weights=w,
        bias=b,
        mean=mean,
        scale=scale,
        crisis_threshold=0.5,
        concern_threshold=0.5,
        train=v.astype(np.float16),
        train_labels=y,
    )


def _predict(head: CrisisHead, d: dict[str, np.ndarray], idx: np.ndarray) -> np.ndarray:
    """What ``CrisisHead.probability`` gives each message, for many messages at once."""
    from emotool.safety.head import features, nearest_similarities

    v = d["vectors"][idx]
    near = nearest_similarities(v, head.train.astype(np.float32), head.train_labels)
    x = features(v, d["sigs"][idx], d["crisis_sim"][idx], d["other_sim"][idx], near)
    z = ((x - head.mean) / head.scale) @ head.weights + head.bias
    return np.asarray(1.0 / (1.0 + np.exp(-z)))


def _threshold(p: np.ndarray, safe: np.ndarray, rate: float) -> float:
    """The lowest threshold at which at most ``rate`` of the safe rows (over all seeds) are flagged."""
    s = np.sort(p[:, safe].ravel())[::-1]
    allowed = int(np.floor(rate * s.size))
    return float(s[allowed] + 1e-9) if allowed < s.size else 0.0


def cross_validate(d: dict[str, np.ndarray]) -> tuple[float, float, float, list[str]]:
    """The CV table; returns the chosen C, crisis threshold, concern threshold and the table lines."""
    dev = np.flatnonzero(d["is_dev"])
    protos = np.flatnonzero(~d["is_dev"])
    strata = np.char.add(d["label"][dev], d["unseen"][dev].astype(str))
    lab, unseen = d["label"][dev], d["unseen"][dev]
    crisis, safe, distress = lab == "crisis", lab == "safe", lab == "distress"
    lines = [
        f"dev messages: {len(dev)} ({crisis.sum()} crisis, {distress.sum()} distress, {safe.sum()} safe; "
        f"{unseen.sum()} unseen by the rules), prototypes: {len(protos)}; "
        f"{FOLDS}-fold CV x {len(SEEDS)} seeds",
        "out-of-fold figures in %: recall over crisis, safe and distress messages flagged crisis",
        f"{'':17} | {'classifier alone':^26} | {'whole detector':^17} | {'unseen rows':^17}",
        f"{'C':>6} {'threshold':>10} | {'recall':>7} {'safe':>7} {'distress':>10} | "
        f"{'recall':>8} {'safe':>8} | {'recall':>8} {'safe':>8}",
    ]
    base = d["base_crisis"][dev]
    cap = d["cap"][dev]

    def pct(m: np.ndarray) -> str:
        return f"{100 * m.mean():8.1f}"

    lines.append(
        f"{'no classifier':<17} | {'':26} | {pct(base[crisis])} {pct(base[safe])} | "
        f"{pct(base[crisis & unseen])} {pct(base[safe & unseen])}"
    )
    best: tuple[float, float, float, float] | None = None
    for c in C_GRID:
        p = np.zeros((len(SEEDS), len(dev)))
        for si, seed in enumerate(SEEDS):
            for test in _folds(strata, FOLDS, seed):
                train = np.setdiff1d(np.arange(len(dev)), test)
                head = _fit(d, np.concatenate([dev[train], protos]), c)
                p[si, test] = _predict(head, d, dev[test])
        budget = base[safe].mean() + ADDED_FALSE_ALARMS
        t = 1.0
        for cand in np.sort(np.unique(p))[::-1]:
            whole = base[None, :] | ((p >= cand) & ~cap[None, :])
            if whole[:, safe].mean() > budget + 1e-12:
                break
            t = float(cand)
        t_concern = min(t, _threshold(p, safe, SAFE_FLAGGED_CONCERN))
        flag = p >= t
        whole = base[None, :] | (flag & ~cap[None, :])
        rec = whole[:, crisis].mean()
        lines.append(
            f"{c:>6g} {t:>10.3f} | {pct(flag[:, crisis]):>7} {pct(flag[:, safe]):>7} "
            f"{pct(flag[:, distress]):>10} | "
            f"{pct(whole[:, crisis])} {pct(whole[:, safe])} | {pct(whole[:, crisis & unseen])} "
            f"{pct(whole[:, safe & unseen])}"
        )
        if best is None or rec > best[1] + 1e-12:
            best = (c, rec, t, t_concern)
    assert best is not None
    lines.append(
        f"chosen: C={best[0]:g}, crisis from {best[2]:.3f}, concern from {best[3]:.3f} (highest "
        f"whole-detector recall with at most {100 * ADDED_FALSE_ALARMS:.1f} points more safe flagged)"
    )
    return best[0], best[2], best[3], lines


def train(c: float | None = None) -> tuple[CrisisHead, list[str]]:
    """Cross-validate, then fit on all dev rows + prototypes; returns the head and the CV table.

    With ``c`` given, skip the cross-validation and only fit with that ``C`` (thresholds left at 0.5).
    """
    d = _data()
    lines: list[str] = []
    t = t_concern = 0.5
    if c is None:
        c, t, t_concern, lines = cross_validate(d)
    head = _fit(d, np.arange(len(d["y"])), c)
    head.crisis_threshold = round(t, 6)
    head.concern_threshold = round(t_concern, 6)
    head.regularisation = c
    head.info = "\n".join(lines)
    return head, lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--check", action="store_true", help="compare with the shipped file instead of writing it"
    )
    args = ap.parse_args()
    from emotool.safety.head import CrisisHead, head_path

    head, lines = train()
    print("\n".join(lines))
    path = head_path("use-m3")
    if args.check:
        shipped = CrisisHead.read(path.read_bytes())
        same = (
            np.allclose(shipped.weights, head.weights, atol=1e-6)
            and shipped.crisis_threshold == head.crisis_threshold
            and shipped.concern_threshold == head.concern_threshold
        )
        print(f"shipped {path.name} (sha256 {shipped.sha256[:16]}): {'reproduced' if same else 'DIFFERS'}")
        sys.exit(0 if same else 1)
    head.save(path)
    print(f"wrote {path} (sha256 {CrisisHead.read(path.read_bytes()).sha256})")


if __name__ == "__main__":
    main()

"""The learned classifier layer: the fitting routine, the shipped head file, and its use in the detector.

The fast tests use small synthetic data and the shipped file's metadata; the
real ones load the encoder and retrain from the dev split to check that the
shipped weights are what ``benchmarks/train_crisis_head.py`` produces.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from emotool.safety import SafetySettings, assess
from emotool.safety.head import SIGNALS, CrisisHead, fit_logistic, head_path, load_head, signals
from emotool.safety.lexicon import match
from emotool.safety.normalize import normalize

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_SHA256 = "1f82c8b09ed42a7d9084caca1a4b1275d8f057179fdc4c21a1d1fa05c0036585"


def test_fit_logistic_separates_and_regularises() -> None:
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(1.0, 1.0, (60, 3)), rng.normal(-1.0, 1.0, (40, 3))])
    y = np.r_[np.ones(60), np.zeros(40)]
    w, b = fit_logistic(x, y, c=1.0)
    p = 1 / (1 + np.exp(-(x @ w + b)))
    assert ((p >= 0.5) == (y == 1)).mean() > 0.85
    w_small, _ = fit_logistic(x, y, c=0.001)
    assert np.linalg.norm(w_small) < np.linalg.norm(w) / 5  # stronger penalty, smaller weights
    w2, b2 = fit_logistic(x, y, c=1.0)
    assert np.array_equal(w, w2) and b == b2  # deterministic


def test_signals_read_the_lexicon_qualifiers() -> None:
    s = dict(zip(SIGNALS, signals(match(normalize("I am not suicidal, just tired").text)), strict=True))
    assert s["negated"] == 1.0 or s["denial"] == 1.0
    s = dict(zip(SIGNALS, signals(match(normalize("this exam is killing me").text)), strict=True))
    assert s["idiom"] == 1.0
    assert not signals(match(normalize("what a lovely morning").text)).any()


def test_shipped_head_is_complete() -> None:
    path = head_path("use-m3")
    assert path.is_file(), "run python benchmarks/train_crisis_head.py"
    head = load_head("use-m3")
    assert head is not None and head.encoder == "use-m3"
    dim = head.train.shape[1]
    assert dim == 512 and head.weights.shape == (dim + len(SIGNALS) + 2 + 3,)
    assert head.mean.shape == head.scale.shape == head.weights.shape and (head.scale > 0).all()
    assert 0.0 < head.concern_threshold <= head.crisis_threshold < 1.0
    assert set(np.unique(head.train_labels)) == {0, 1}
    assert "fold" in head.info and "chosen: C=" in head.info  # the CV table travels with the weights
    assert len(head.sha256) == 64
    assert load_head("no-such-encoder") is None


def test_save_and_read_round_trip(tmp_path: Path) -> None:
    head = CrisisHead(
        encoder="fake",
        weights=np.arange(4.0),
        bias=-0.5,
        mean=np.zeros(4),
        scale=np.ones(4),
        crisis_threshold=0.8,
        concern_threshold=0.4,
        train=np.eye(2, dtype=np.float16),
        train_labels=np.array([1, 0]),
        info="cv table",
    )
    path = tmp_path / "h.npz"
    head.save(path)
    back = CrisisHead.read(path.read_bytes())
    assert back.encoder == "fake" and back.bias == -0.5 and back.info == "cv table"
    assert np.array_equal(back.weights, head.weights) and back.crisis_threshold == 0.8


def test_a_fake_encoder_skips_the_classifier() -> None:
    from tests.test_safety_detector import fake_scorer

    a = assess(
        "I want to vanish", settings=SafetySettings(layers=("semantic", "classifier")), scorer=fake_scorer()
    )
    assert a.classifier_score is None and "classifier" not in a.layers


# ---------------------------------------------------------------- real encoder
def _train_module() -> Any:
    spec = importlib.util.spec_from_file_location(
        "train_crisis_head", ROOT / "benchmarks" / "train_crisis_head.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["train_crisis_head"] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.real
def test_classifier_layer_fires_with_evidence() -> None:
    a = assess("I already picked the spot by the river, I just need to work up the courage")
    assert a.classifier_score is not None and 0.0 <= a.classifier_score <= 1.0
    b = assess("recommend a good pizza place near the station")
    assert b.classifier_score is not None and b.classifier_score < a.classifier_score
    assert b.level == "none"
    if "classifier" in a.layers:
        assert any(e.startswith("classifier: ") for e in a.evidence)


def test_shipped_head_is_the_recorded_one() -> None:
    head = load_head("use-m3")
    assert head is not None
    # Retraining changes this: update it together with the file (python benchmarks/train_crisis_head.py).
    assert head.sha256 == SHIPPED_SHA256


@pytest.mark.real
@pytest.mark.slow
def test_shipped_weights_are_what_the_training_script_fits() -> None:
    """The final fit (dev split + prototypes, the shipped C) gives the shipped weights; the full
    cross-validation that chose C and the thresholds is ``train_crisis_head.py --check`` (about 1 min)."""
    mod = _train_module()
    shipped = load_head("use-m3")
    assert shipped is not None and shipped.regularisation > 0
    head, _ = mod.train(c=shipped.regularisation)
    np.testing.assert_allclose(shipped.weights, head.weights, atol=1e-5)
    np.testing.assert_allclose(shipped.mean, head.mean, atol=1e-6)
    assert abs(shipped.bias - head.bias) < 1e-5

"""Shared fixtures: where the real data is, and a scripted fake pipeline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emotool.labels import EMOTIONS
from emotool.perception.types import Detection, FaceResult, FrameResult
from emotool.schema import ModelInfo

#: ../shared/data beside the checkout (present on developer machines and in CI).
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FACES_DEV = SHARED_DATA / "faces-dev"


@pytest.fixture(scope="session")
def faces_dev() -> Path:
    if not (FACES_DEV / "labels.csv").is_file():
        pytest.skip(
            f"real data not found: expected faces-dev at {FACES_DEV} (../shared/data beside the checkout)"
        )
    return FACES_DEV


def one_hot(label: str, p: float = 0.8) -> np.ndarray:
    probs = np.full(len(EMOTIONS), (1 - p) / (len(EMOTIONS) - 1))
    probs[EMOTIONS.index(label)] = p
    return probs


class FakePipeline:
    """A scripted pipeline: one centred face with a fixed label, or none when the image is dark."""

    def __init__(self, label: str = "happiness") -> None:
        self.label = label
        self.calls = 0

    def analyze(self, rgb: np.ndarray) -> FrameResult:
        self.calls += 1
        h, w = rgb.shape[:2]
        if rgb.mean() < 5:
            return FrameResult(width=w, height=h, faces=[], detector="fake", classifiers=["fake"])
        det = Detection(w * 0.25, h * 0.25, w * 0.75, h * 0.75, 0.99, "fake")
        face = FaceResult(det, one_hot(self.label), confidence=0.7, per_model={"fake": one_hot(self.label)})
        return FrameResult(
            width=w,
            height=h,
            faces=[face],
            detect_ms=1.0,
            classify_ms=1.0,
            detector="fake",
            classifiers=["fake"],
        )

    def warmup(self) -> None:
        pass

    def model_infos(self) -> list[ModelInfo]:
        return [ModelInfo(name="fake", role="classifier", license="MIT")]


@pytest.fixture
def fake_pipeline() -> FakePipeline:
    return FakePipeline()

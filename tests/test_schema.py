"""The reading models: validation, helpers, and the exported JSON schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from emotool.labels import AFFECT, EMOTIONS, canonical, valence_arousal
from emotool.schema import Box, EmotionReading, EmotionScores, json_schema_text

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "emotool" / "schemas" / "readings.schema.json"


def test_scores_from_probs_normalises_and_sums_to_one() -> None:
    s = EmotionScores.from_probs([1, 1, 1, 5, 1, 1, 0])
    assert abs(sum(s.as_list()) - 1) < 1e-9
    assert s.top() == "happiness"
    assert s.as_dict()["happiness"] == pytest.approx(0.5, abs=1e-6)


def test_scores_reject_bad_distributions() -> None:
    with pytest.raises(ValidationError):
        EmotionScores(**dict.fromkeys(EMOTIONS, 0.5))
    with pytest.raises(ValueError):
        EmotionScores.from_probs([1, 2, 3])


def test_all_zero_scores_become_uniform() -> None:
    s = EmotionScores.from_probs([0] * 7)
    assert max(s.as_list()) - min(s.as_list()) < 1e-5


def test_box_is_clipped_and_normalised() -> None:
    b = Box.from_xyxy(-10, 20, 300, 120, 250, 250)
    assert (b.x, b.y) == (0, 20)
    assert b.x + b.width <= 250
    assert 0 <= b.x_norm <= 1 and b.width_norm == pytest.approx(b.width / 250, abs=1e-4)


def test_valence_arousal_follow_the_affect_table() -> None:
    v, a = valence_arousal({"happiness": 1.0})
    assert (v, a) == AFFECT["happiness"]
    v, _ = valence_arousal({"sadness": 0.5, "happiness": 0.5})
    assert v == pytest.approx((AFFECT["sadness"][0] + AFFECT["happiness"][0]) / 2)


def test_canonical_maps_vocabularies_and_rejects_unknown() -> None:
    assert canonical("Happy") == "happiness"
    assert canonical("angry") == "anger"
    assert canonical(" contempt ") == "disgust"
    with pytest.raises(ValueError, match="use one of"):
        canonical("bored")


def test_reading_forbids_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        EmotionReading(
            source="x",
            width=1,
            height=1,
            face_found=False,
            label=None,
            scores=None,
            valence=None,
            arousal=None,
            confidence=0,
            reasoning="",
            colour="red",
        )


def test_exported_schema_is_committed_and_current() -> None:
    assert SCHEMA_FILE.read_text() == json_schema_text(), (
        "the reading schema changed: bump SCHEMA_VERSION and run "
        "`emotool schema > emotool/schemas/readings.schema.json`"
    )
    doc = json.loads(SCHEMA_FILE.read_text())
    props = doc["$defs"]["EmotionReading"]["properties"]
    for field in ("faces", "label", "scores", "reasoning", "cues", "models", "timings", "confidence"):
        assert field in props and props[field].get("description")

"""The backend registry, the classic backend, and output parsing/repair."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import FakePipeline

from emotool.backends import Backend, ReadOptions, available_backends, get_backend, register_backend
from emotool.backends.base import Completion, VLMBackend
from emotool.backends.parsing import (
    ParseFailure,
    answer_schema,
    extract_json,
    fallback_answer,
    match_option,
    parse_answer,
)
from emotool.errors import EmotoolError, UnknownName
from emotool.labels import EMOTIONS
from emotool.media import load_image
from emotool.schema import EmotionReading, EmotionScores, ModelInfo

GOOD = {
    "reasoning": "r",
    "cues": [{"view": 1, "observation": "smile"}],
    "answer": "yes",
    "emotion": "happiness",
    "scores": dict.fromkeys(EMOTIONS, 0.0) | {"happiness": 1.0},
    "confidence": 0.8,
}


# --------------------------------------------------------------------------- registry


def test_unknown_backend_lists_the_valid_ones() -> None:
    with pytest.raises(UnknownName, match="choose one of: classic, hf, openai"):
        get_backend("gpt5")


def test_env_var_chooses_the_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMOTOOL_BACKEND", "nope")
    with pytest.raises(UnknownName):
        get_backend()
    monkeypatch.setenv("EMOTOOL_BACKEND", "classic")
    assert get_backend().name == "classic"
    assert get_backend("CLASSIC").name == "classic"
    assert {"classic", "hf", "openai"} <= set(available_backends())


def test_unknown_option_is_an_error_naming_it() -> None:
    with pytest.raises(EmotoolError, match="invalid options for backend 'openai': timout"):
        get_backend("openai", base_url="http://127.0.0.1:9/v1", timout=3)


def test_register_a_custom_backend() -> None:
    class Echo(VLMBackend):
        name = "echo"

        def model_info(self) -> ModelInfo:
            return ModelInfo(name="echo", role="vlm")

        def _complete(self, requests: list) -> list[Completion]:
            return [Completion(text=json.dumps(GOOD)) for _ in requests]

    register_backend("echo", Echo)
    try:
        be = get_backend("echo")
        assert isinstance(be, Backend)
        img = load_image(np.full((64, 64, 3), 200, np.uint8))
        r = be.read_image(img, FakePipeline().analyze(img.rgb), ReadOptions(task="humor"))
        assert r.task is not None and r.task.answer == "yes" and r.label == "happiness"
    finally:
        from emotool.backends import BACKENDS

        BACKENDS.pop("echo")


def test_importing_backends_stays_light() -> None:
    code = (
        "import sys, emotool.backends, emotool.backends.parsing, emotool.bench, emotool.views, "
        "emotool.prompting; print(' '.join(sorted(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    heavy = {"torch", "transformers", "cv2", "langchain_core", "httpx", "PIL.Image"} & set(out)
    assert not heavy, heavy


def test_read_options_check_the_task() -> None:
    with pytest.raises(ValueError, match="intent task needs options"):
        ReadOptions(task="intent")
    with pytest.raises(ValueError):
        ReadOptions(task="joy")  # type: ignore[arg-type]
    assert ReadOptions(task="hate").allowed() == ["yes", "no"]


# --------------------------------------------------------------------------- classic


def classic_reading(
    label: str = "happiness", task: str = "close_set", options: list[str] | None = None, dark: bool = False
) -> EmotionReading:
    img = load_image(np.full((80, 80, 3), 0 if dark else 200, np.uint8))
    frame = FakePipeline(label).analyze(img.rgb)
    return get_backend("classic").read_image(img, frame, ReadOptions(task=task, options=options))  # type: ignore[arg-type]


def test_classic_reasoning_comes_from_real_cues() -> None:
    r = classic_reading("sadness")
    assert r.backend == "classic" and r.label == "sadness" and "fake" in r.reasoning
    assert r.task is not None and r.task.answer == "sadness" and r.task.valid


@pytest.mark.parametrize(
    ("task", "options", "label", "answer", "valid"),
    [
        ("close_set", ["happy", "sad"], "sadness", "sad", True),
        ("close_set", ["anger", "fear"], "happiness", "anger", True),  # best-scoring option
        ("humor", None, "happiness", "yes", False),
        ("hate", None, "anger", "no", False),
        ("sarcasm", None, "happiness", "no", False),
        ("intent", ["to joke", "to warn"], "happiness", "to joke", False),
        ("open_set", None, "fear", "fear", True),
    ],
)
def test_classic_answers_are_always_allowed(
    task: str, options: list[str] | None, label: str, answer: str, valid: bool
) -> None:
    r = classic_reading(label, task, options)
    assert r.task is not None and r.task.answer == answer and r.task.valid is valid


def test_classic_without_a_face() -> None:
    r = classic_reading(dark=True, task="close_set", options=["happy", "sad"])
    assert not r.face_found and r.task is not None and r.task.answer == "happy" and not r.task.valid


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    "text",
    [
        json.dumps(GOOD),
        "```json\n" + json.dumps(GOOD) + "\n```",
        "<think>the face smiles</think>\n" + json.dumps(GOOD),
        "Here you go: " + json.dumps(GOOD) + " Hope that helps!",
        json.dumps(GOOD)[:-1] + ",}",  # trailing comma
        str({**GOOD, "extra": True}),  # a Python dict with single quotes and True
        json.dumps(GOOD)[:-20],  # cut off mid-object
    ],
)
def test_parse_repairs_common_damage(text: str) -> None:
    a = parse_answer(text, "humor")
    assert a.answer == "yes" and a.emotion == "happiness" and a.valid


def test_parse_normalises_labels_percentages_and_scores() -> None:
    obj = {
        "reasoning": "x",
        "answer": "Happy!",
        "emotion": "joy",
        "scores": {"happy": 60, "sad": 40},
        "confidence": "75%",
    }
    a = parse_answer(json.dumps(obj), "close_set", ["happiness", "sadness"])
    assert a.answer == "happiness" and a.emotion == "happiness" and a.confidence == 0.75
    assert a.scores.happiness == pytest.approx(0.6) and any("normalised" in n for n in a.notes)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "no text"),
        ("I'm sorry, but I can't help with that.", "declined"),
        ("The person looks happy.", "no JSON object"),
        (json.dumps({**GOOD, "answer": "maybe"}), "not one of: yes, no"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "reasoning"}), "reasoning"),
        ("[1, 2, 3]", "no JSON object"),
    ],
)
def test_parse_failures_say_why(text: str, reason: str) -> None:
    with pytest.raises(ParseFailure, match=reason):
        parse_answer(text, "sarcasm")


def test_valence_arousal_and_open_set_answers() -> None:
    va = parse_answer(
        json.dumps(
            {"reasoning": "r", "valence": -0.5, "arousal": 1.4, "emotion": "anger", "confidence": 0.5}
        ),
        "valence_arousal",
    )
    assert va.valence == -0.5 and va.arousal == 1.0 and "clipped" in " ".join(va.notes)
    op = parse_answer(
        json.dumps(
            {
                "reasoning": "r",
                "answer": "quiet pride",
                "emotion": "happiness",
                "scores": {"happiness": 1},
                "confidence": 0.5,
            }
        ),
        "open_set",
    )
    assert op.open_label == "quiet pride" and op.emotion == "happiness"


def test_answer_schema_is_strict_and_lists_options() -> None:
    s = answer_schema("close_set", ["a", "b"])
    assert s["additionalProperties"] is False and set(s["required"]) == set(s["properties"])
    assert s["properties"]["answer"]["enum"] == ["a", "b"]
    assert "answer" not in answer_schema("valence_arousal")["properties"]


def test_fallback_answer_is_always_an_option() -> None:
    prior = EmotionScores.from_probs([0, 0, 0, 0, 0, 1, 0])  # sadness
    a = fallback_answer("close_set", ["happy", "sad"], "garbage", raw="xx", prior=prior)
    assert a.answer == "sad" and a.confidence == 0 and not a.valid
    assert fallback_answer("hate", None, "garbage", raw="").answer == "no"
    assert fallback_answer("humor", None, "bad", raw='"answer": "yes" blah').answer == "yes"
    assert fallback_answer("intent", ["to warn", "to joke"], "bad").answer == "to warn"


def test_match_option_and_extract() -> None:
    assert match_option(True, ["yes", "no"]) == "yes"
    assert match_option("No, it is not.", ["yes", "no"]) == "no"
    assert match_option("angry", ["anger", "fear"]) == "anger"
    assert match_option("purple", ["anger", "fear"]) is None
    obj, think, _ = extract_json('<think>hmm</think>{"a": 1}')
    assert obj == {"a": 1} and think == "hmm"


def test_open_set_words_map_onto_the_seven() -> None:
    def ans(label: str) -> str:
        return json.dumps({"reasoning": "r", "answer": label, "confidence": 0.5})

    assert parse_answer(ans("very delighted"), "open_set").emotion == "happiness"
    assert parse_answer(ans("nervous anticipation"), "open_set").emotion == "fear"
    with pytest.raises(ParseFailure, match="emotion"):
        parse_answer(ans("not happy at all"), "open_set")

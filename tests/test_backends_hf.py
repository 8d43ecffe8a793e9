"""The hf backend for real: a tiny random LLaVA built offline, saved, reloaded through the public loader."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("transformers")

from conftest import one_hot
from tiny_vlm import TOKENS_PER_IMAGE, build_tiny_llava

from emotool.backends import ReadOptions, get_backend
from emotool.backends.base import render_request
from emotool.errors import BackendUnavailable
from emotool.media import load_image
from emotool.perception.types import Detection, FaceResult, FrameResult
from emotool.views import build_views


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_llava(tmp_path_factory.mktemp("tiny-llava"))


@pytest.fixture(scope="module")
def hf(tiny_model: Path) -> Any:
    return get_backend(
        "hf", model=str(tiny_model), dtype="auto", device_map="auto", max_new_tokens=6, batch_size=4
    )


def scene(n_faces: int) -> tuple[Any, FrameResult]:
    img = load_image(np.random.default_rng(n_faces).integers(0, 255, (240, 320, 3), dtype=np.uint8))
    boxes = [(40, 40, 90, 100), (200, 60, 240, 110)][:n_faces]
    faces = [FaceResult(Detection(*b, 0.9, "fake"), one_hot("sadness"), 0.6) for b in boxes]
    return img, FrameResult(width=320, height=240, faces=faces, detector="fake", classifiers=["fake"])


def test_loads_through_public_code_on_cpu_in_float32(hf: Any) -> None:
    import torch

    model = hf.model
    assert type(model).__name__ == "LlavaForConditionalGeneration"
    assert model.dtype == torch.float32 and model.device.type == "cpu"
    if importlib.util.find_spec("accelerate"):
        assert hf.load_kwargs["device_map"] == "auto"  # placed by accelerate
    assert hf.load_kwargs["dtype"] == torch.float32
    assert hf.processor.tokenizer.padding_side == "left"


def test_every_view_becomes_an_image_input_and_the_prompt_is_emoprompt(hf: Any) -> None:
    reqs = []
    for n in (2, 1):
        img, frame = scene(n)
        reqs.append(render_request(build_views(img.rgb, frame), ReadOptions(task="sarcasm")))
    n_views = [len(r.views) for r in reqs]
    assert n_views[0] > n_views[1] >= 2
    inputs = hf.prepare(reqs)
    assert inputs["pixel_values"].shape[0] == sum(n_views)
    image_id = hf.model.config.image_token_id
    per_row = (inputs["input_ids"] == image_id).sum(dim=1).tolist()
    assert per_row == [n * TOKENS_PER_IMAGE for n in n_views]
    assert inputs["attention_mask"][1, 0] == 0  # left padding of the shorter prompt
    text = hf.processor.tokenizer.decode(inputs["input_ids"][0], skip_special_tokens=True)
    assert "Reason in this order" in text and "is this picture (with any text in it) sarcastic" in text
    assert "Worked example A" in text and '"enum":["yes","no"]' in text
    assert "[2] face 0 cropped and enlarged" in text


@pytest.mark.slow
def test_generates_and_parses_whatever_the_random_model_says(hf: Any) -> None:
    items = [scene(2), scene(0)]
    rs = hf.read_images(items, ReadOptions(task="close_set", options=["happiness", "sadness", "fear"]))
    assert len(rs) == 2
    for r in rs:
        assert r.backend == "hf" and r.task is not None
        assert r.task.answer in ("happiness", "sadness", "fear")
        if not r.task.valid:  # random weights almost never write valid JSON
            assert r.confidence == 0.0 and "could not be used" in r.reasoning
        assert r.timings.reason_ms > 0 and r.views
    assert rs[0].faces and not rs[1].faces and rs[1].views[0].kind == "scene"
    assert hf.usage.completion_tokens > 0 and hf.usage.requests >= 2


def test_four_bit_without_bitsandbytes_names_the_package(tiny_model: Path) -> None:
    if importlib.util.find_spec("bitsandbytes"):
        pytest.skip("bitsandbytes is installed here")
    with pytest.raises(BackendUnavailable, match="bitsandbytes"):
        get_backend("hf", model=str(tiny_model), quantization="4bit").load()


def test_missing_model_and_bad_options_are_clear(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMOTOOL_HF_MODEL", raising=False)
    with pytest.raises(BackendUnavailable, match="needs a model"):
        get_backend("hf").load()
    with pytest.raises(BackendUnavailable, match="could not load the vision-language model"):
        get_backend("hf", model=str(tmp_path / "nowhere"), local_files_only=True).load()
    from emotool.errors import EmotoolError

    with pytest.raises(EmotoolError, match="invalid options for backend 'hf': temprature"):
        get_backend("hf", temprature=0.1)

"""EmoBench-style evaluation: loading, scoring, answers always allowed, the CLI entry, the sample file."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import FakePipeline

from emotool.backends import get_backend
from emotool.backends.base import Completion, VLMBackend, VLMRequest
from emotool.bench import add_bench_command, bench_cli, format_report, load_bench, run_bench
from emotool.errors import EmotoolError
from emotool.schema import ModelInfo

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "benchmarks" / "bench_sample.jsonl"


class Garbage(VLMBackend):
    """A backend whose model never writes usable output."""

    name = "garbage"

    def model_info(self) -> ModelInfo:
        return ModelInfo(name="garbage", role="vlm")

    def _complete(self, requests: list[VLMRequest]) -> list[Completion]:
        return [Completion(text="lorem ipsum maybe perhaps") for _ in requests]


@pytest.fixture
def bench_file(tmp_path: Path) -> Path:
    from PIL import Image

    (tmp_path / "img").mkdir()
    Image.fromarray(np.full((64, 64, 3), 200, np.uint8)).save(tmp_path / "img" / "a.png")
    Image.fromarray(np.zeros((64, 64, 3), np.uint8)).save(tmp_path / "img" / "dark.png")
    items = [
        {"id": "c7", "media": "img/a.png", "task": "close_set", "answer": "happiness"},
        {
            "id": "c2",
            "media": "img/a.png",
            "task": "close_set",
            "options": ["sad", "happy"],
            "answer": "happy",
        },
        {"media": "img/a.png", "task": "open_set", "answer": "joyful"},
        {"media": "img/a.png", "task": "valence_arousal", "answer": "positive"},
        {"media": "img/a.png", "task": "humor", "answer": "yes"},
        {"media": "img/a.png", "task": "sarcasm", "answer": "yes"},
        {"media": "img/a.png", "task": "intent", "options": ["to joke", "to warn"], "answer": "to warn"},
        {"media": "img/dark.png", "task": "close_set", "answer": "neutral"},
        {"media": "img/missing.png", "task": "hate", "answer": "no"},
    ]
    p = tmp_path / "bench.jsonl"
    p.write_text("# a comment\n\n" + "".join(json.dumps(x) + "\n" for x in items))
    return p


def test_classic_bench_scores_each_task(bench_file: Path) -> None:
    pipe = FakePipeline("happiness")
    rep = run_bench(bench_file, get_backend("classic"), analyze_frame=pipe.analyze, models=pipe.model_infos())
    by = {t.task: t for t in rep.tasks}
    assert rep.n == 9 and rep.backend == "classic"
    assert by["close_set"].n == 3 and by["close_set"].correct == 2  # the dark image has no face
    assert by["open_set"].correct == 1 and by["valence_arousal"].correct == 1
    assert by["humor"].correct == 1 and by["sarcasm"].correct == 0 and by["intent"].correct == 0
    assert by["hate"].errors == 1 and "missing.png" in (rep.items[-1].error or "")
    assert rep.p50_ms is not None and rep.accuracy == pytest.approx(5 / 9, abs=1e-3)
    text = format_report(rep)
    assert "overall" in text and "p50 latency" in text


def test_unusable_model_output_still_answers_an_allowed_option(bench_file: Path) -> None:
    pipe = FakePipeline("sadness")
    rep = run_bench(bench_file, Garbage(), analyze_frame=pipe.analyze, limit=7)
    for item, r in zip(load_bench(bench_file)[:7], rep.items, strict=True):
        assert r.error is None and not r.valid
        if item.task in ("close_set", "intent", "humor", "sarcasm"):
            allowed = item.options or (["yes", "no"] if item.task in ("humor", "sarcasm") else None)
            if allowed:
                assert r.predicted in allowed
    assert rep.items[1].predicted == "sad"  # the face classifier's prior, mapped onto the options
    assert all(t.fallbacks == t.n for t in rep.tasks)


@pytest.mark.parametrize(
    ("line", "msg"),
    [
        (
            '{"media": "a.png", "task": "close_set", "options": ["a", "b"], "answer": "c"}',
            "not one of the options",
        ),
        ('{"media": "a.png", "task": "jokes", "answer": "yes"}', "line 1"),
        ('{"media": "a.png", "task": "humor", "answer": "yes", "extra": 1}', "line 1"),
        ("[1, 2]", "JSON object"),
    ],
)
def test_bad_lines_are_reported_with_their_number(tmp_path: Path, line: str, msg: str) -> None:
    p = tmp_path / "b.jsonl"
    p.write_text(line + "\n")
    with pytest.raises(EmotoolError, match=msg):
        load_bench(p)


def test_cli_entry_points(bench_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="eval_command")
    add_bench_command(sub)
    args = parser.parse_args(["bench", str(bench_file), "--backend", "classic", "--json", "--limit", "2"])
    pipe = FakePipeline()
    monkeypatch.setattr(
        "emotool.analyzer.shared_pipeline", lambda *a, **k: (pipe, __import__("threading").Lock())
    )
    assert bench_cli(args) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["n"] == 2 and rep["accuracy"] == 1.0
    with pytest.raises(EmotoolError, match="not classic"):
        bench_cli(parser.parse_args(["bench", str(bench_file), "--model", "x"]))


def test_sample_bench_file_is_valid_and_points_at_real_data(faces_dev: Path) -> None:
    items = load_bench(SAMPLE)
    assert len(items) >= 60 and {"close_set", "open_set", "valence_arousal"} <= {i.task for i in items}
    for it in items:
        assert not Path(it.media).is_absolute() and (SAMPLE.parent / it.media).is_file(), it.media


@pytest.mark.real
def test_sample_bench_with_the_embedded_pipeline(faces_dev: Path) -> None:
    from emotool.assets import is_present

    if not is_present("fer-mini-xception"):
        pytest.skip("embedded models not installed: run `emotool models pull`")
    rep = run_bench(SAMPLE, get_backend("classic"), limit=8)
    assert rep.n == 8 and not [r for r in rep.items if r.error]
    assert rep.accuracy >= 0.25 and rep.p50_ms is not None

"""The backends behind the public entry points: Analyzer, EmotionTool and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import FakePipeline
from langchain_core.messages import ToolMessage
from PIL import Image
from test_backends_openai import GOOD, Reply, Scripted, completion, server  # noqa: F401

from emotool import EmotionTool
from emotool.analyzer import Analyzer
from emotool.errors import UnknownName
from emotool.media import MediaPolicy
from emotool.schema import EmotionReading

OPENAI_OPTS = {
    "model": "test-vlm",
    "api_key_env": "EMOTOOL_TEST_KEY",
    "timeout": 5,
    "max_retries": 1,
    "trust_env": False,
}


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    from skimage import data

    p = tmp_path / "astronaut.jpg"
    Image.fromarray(data.astronaut()).save(p, quality=92)
    return p


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMOTOOL_TEST_KEY", "sk-test-not-secret")
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)


def test_unknown_backend_lists_the_valid_ones() -> None:
    with pytest.raises(UnknownName, match="classic"):
        Analyzer(pipeline=FakePipeline(), backend="gpt-nine")


def test_env_var_chooses_the_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMOTOOL_BACKEND", "classic")
    assert Analyzer(pipeline=FakePipeline()).backend.name == "classic"
    monkeypatch.setenv("EMOTOOL_BACKEND", "nonsense")
    with pytest.raises(UnknownName):
        Analyzer(pipeline=FakePipeline())


def test_tool_with_openai_backend_returns_the_vlm_reading(server: Scripted, photo: Path) -> None:  # noqa: F811
    server.default = Reply(body=completion(json.dumps(GOOD)))
    analyzer = Analyzer(
        pipeline=FakePipeline("sadness"),
        policy=MediaPolicy(allowed_roots=[photo.parent]),
        backend="openai",
        backend_options={"base_url": server.url, **OPENAI_OPTS},
    )
    tool = EmotionTool.from_analyzer(analyzer)
    msg = tool.invoke({"type": "tool_call", "id": "1", "name": tool.name, "args": {"media": str(photo)}})
    assert isinstance(msg, ToolMessage) and isinstance(msg.artifact, EmotionReading)
    reading = msg.artifact
    # the VLM's answer wins over the fake classifier's sadness, and says where it came from
    assert reading.backend == "openai" and reading.label == "happiness"
    assert reading.views and {v.kind for v in reading.views} >= {"scene", "face"}
    body = server.requests[0]
    assert body["model"] == "test-vlm"
    parts = [p for m in body["messages"] if isinstance(m["content"], list) for p in m["content"]]
    assert sum(p["type"] == "image_url" for p in parts) == len(reading.views)


def test_tool_fields_reach_the_backend(
    server: Scripted,  # noqa: F811
    photo: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server.default = Reply(body=completion(json.dumps(GOOD)))
    tool = EmotionTool(
        allowed_roots=[photo.parent],
        backend="openai",
        backend_options={"base_url": server.url, **OPENAI_OPTS},
    )
    analyzer = tool._get_analyzer()
    assert analyzer.backend.name == "openai"
    analyzer._pipeline, analyzer._lock = FakePipeline(), __import__("threading").Lock()
    reading = tool.analyze(str(photo))
    assert reading.backend == "openai" and server.requests


def test_a_failing_server_becomes_a_tool_error_and_the_next_call_works(server: Scripted, photo: Path) -> None:  # noqa: F811
    server.script = [Reply(status=500, body={"error": "boom"})] * 2
    server.default = Reply(body=completion(json.dumps(GOOD)))
    analyzer = Analyzer(
        pipeline=FakePipeline(),
        policy=MediaPolicy(allowed_roots=[photo.parent]),
        backend="openai",
        backend_options={"base_url": server.url, **OPENAI_OPTS},
    )
    tool = EmotionTool.from_analyzer(analyzer)
    bad = tool.invoke({"type": "tool_call", "id": "1", "name": tool.name, "args": {"media": str(photo)}})
    assert bad.status == "error" and "500" in str(bad.content)
    good = tool.invoke({"type": "tool_call", "id": "2", "name": tool.name, "args": {"media": str(photo)}})
    assert isinstance(good.artifact, EmotionReading) and good.artifact.label == "happiness"


@pytest.mark.real
def test_cli_analyze_with_openai_backend_on_real_models(server: Scripted, photo: Path) -> None:  # noqa: F811
    server.default = Reply(body=completion(json.dumps(GOOD)))
    env = {**os.environ, "EMOTOOL_TEST_KEY": "sk-test-not-secret"}
    opts = [
        f"--backend-option={k}={json.dumps(v) if not isinstance(v, str) else v}"
        for k, v in OPENAI_OPTS.items()
        if k != "model"
    ]
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "emotool.cli",
            "analyze",
            str(photo),
            "--json",
            "--backend",
            "openai",
            "--base-url",
            server.url,
            "--model",
            "test-vlm",
            *opts,
            "--allow-root",
            str(photo.parent),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    reading = EmotionReading.model_validate_json(proc.stdout.strip().splitlines()[-1])
    assert reading.backend == "openai" and reading.face_found
    # the real detector found the astronaut's face, so a face view was sent
    assert any(v.kind == "face" for v in reading.views)


def test_cli_bench_runs_the_classic_backend(tmp_path: Path) -> None:
    img = tmp_path / "dark.png"
    Image.fromarray(np.zeros((32, 32, 3), np.uint8)).save(img)
    items = tmp_path / "items.jsonl"
    items.write_text(
        json.dumps(
            {
                "media": "dark.png",
                "task": "close_set",
                "options": ["happiness", "sadness"],
                "answer": "happiness",
            }
        )
        + "\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "emotool.cli", "eval", "bench", str(items), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    report: dict[str, Any] = json.loads(proc.stdout)
    assert report["backend"] == "classic" and report["n"] == 1
    assert report["tasks"][0]["task"] == "close_set"
    # no face: the answer is a marked fallback, but still one of the allowed options
    item = report["items"][0]
    assert item["predicted"] in ("happiness", "sadness") and item["valid"] is False

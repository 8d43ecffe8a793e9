"""The openai backend against a real HTTP server on 127.0.0.1 answering scripted completions."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from conftest import one_hot
from openai_stub import Reply, completion, running
from openai_stub import StubServer as Scripted

from emotool.backends import ReadOptions, get_backend
from emotool.errors import BackendUnavailable
from emotool.media import load_image
from emotool.perception.types import Detection, FaceResult, FrameResult
from emotool.views import build_views

GOOD = {
    "reasoning": "Face: raised cheeks and a wide smile (picture 2). Scene: a party (picture 1). Happiness.",
    "cues": [{"view": 2, "observation": "wide smile, raised cheeks"}, {"view": 1, "observation": "party"}],
    "answer": "happiness",
    "emotion": "happiness",
    "scores": {
        "anger": 0.01,
        "disgust": 0.01,
        "fear": 0.01,
        "happiness": 0.9,
        "neutral": 0.05,
        "sadness": 0.01,
        "surprise": 0.01,
    },
    "confidence": 0.85,
}


@pytest.fixture
def server() -> Iterator[Scripted]:
    with running() as srv:
        yield srv


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("EMOTOOL_TEST_KEY", "sk-test-not-secret")


def two_faces() -> tuple[Any, FrameResult]:
    rng = np.random.default_rng(1)
    img = load_image(rng.integers(0, 255, (300, 400, 3), dtype=np.uint8))
    faces = [
        FaceResult(Detection(60, 60, 120, 130, 0.99, "fake"), one_hot("happiness"), 0.7),
        FaceResult(Detection(260, 80, 310, 140, 0.95, "fake"), one_hot("sadness"), 0.6),
    ]
    return img, FrameResult(width=400, height=300, faces=faces, detector="fake", classifiers=["fake"])


def backend(srv: Scripted, **kw: Any) -> Any:
    opts = {
        "base_url": srv.url,
        "model": "test-vlm",
        "api_key_env": "EMOTOOL_TEST_KEY",
        "timeout": 5,
        "max_retries": 2,
        "trust_env": False,
    }
    opts.update(kw)
    return get_backend("openai", **opts)


def test_valid_json_request_body_and_reading(server: Scripted) -> None:
    server.script = [Reply(body=completion(json.dumps(GOOD)))]
    img, frame = two_faces()
    r = backend(server).read_image(img, frame, ReadOptions())
    assert len(server.requests) == 1
    body = server.requests[0]
    assert body["model"] == "test-vlm"
    n_views = len(build_views(img.rgb, frame))
    parts = body["messages"][1]["content"]
    images = [p for p in parts if p["type"] == "image_url"]
    assert len(images) == n_views == len(r.views) == 5
    assert all(p["image_url"]["url"].startswith("data:image/jpeg;base64,") for p in images)
    assert [v.kind for v in r.views] == ["scene", "face", "context", "face", "context"]
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["properties"]["answer"]["enum"][3] == "happiness"
    assert "Reason in this order" in body["messages"][0]["content"]  # EmoPrompt system
    assert "Worked example A" in parts[-1]["text"]
    headers = {k.lower(): v for k, v in server.headers_seen[0].items()}  # HTTP names are case-blind
    assert headers["authorization"] == "Bearer sk-test-not-secret"
    assert r.backend == "openai" and r.label == "happiness" and r.confidence == pytest.approx(0.85)
    assert r.task is not None and r.task.answer == "happiness" and r.task.valid
    assert any("picture 2 (face 0 cropped and enlarged)" in c.text for c in r.cues)
    assert r.models[-1].name == "test-vlm" and r.models[-1].role == "vlm"
    assert len(r.faces) == 2  # the face pipeline's faces stay in the reading


def test_malformed_json_is_retried_once_with_a_repair_message(server: Scripted) -> None:
    server.script = [
        Reply(body=completion("Sure! {reasoning: 'smiling', answer: happy")),
        Reply(body=completion(json.dumps(GOOD))),
    ]
    img, frame = two_faces()
    r = backend(server).read_image(img, frame, ReadOptions())
    assert len(server.requests) == 2
    retry = server.requests[1]["messages"]
    assert retry[-2] == {"role": "assistant", "content": "Sure! {reasoning: 'smiling', answer: happy"}
    assert "could not be used" in retry[-1]["content"]
    assert r.task is not None and r.task.valid and "retry" in (r.task.note or "")
    assert r.label == "happiness"


def test_malformed_twice_gives_a_low_confidence_reading_that_says_why(server: Scripted) -> None:
    server.default = Reply(body=completion("I think the person is happy."))
    img, frame = two_faces()
    r = backend(server).read_image(img, frame, ReadOptions(task="humor"))
    assert len(server.requests) == 2
    assert r.confidence == 0.0 and r.task is not None and not r.task.valid
    assert r.task.answer in ("yes", "no")
    assert "could not be used" in r.reasoning and "no JSON object" in r.reasoning


def test_refusal_is_not_retried_and_is_explained(server: Scripted) -> None:
    server.script = [Reply(body=completion(None, refusal="I can't help with identifying people."))]
    img, frame = two_faces()
    r = backend(server).read_image(img, frame, ReadOptions(task="close_set", options=["happy", "sad"]))
    assert len(server.requests) == 1
    assert r.confidence == 0.0 and "declined" in r.reasoning
    assert r.task is not None and r.task.answer in ("happy", "sad") and not r.task.valid


def test_429_then_success_retries_with_backoff(server: Scripted) -> None:
    server.script = [
        Reply(status=429, body={"error": {"message": "rate limited"}}, headers={"Retry-After": "0"}),
        Reply(body=completion(json.dumps(GOOD))),
    ]
    img, frame = two_faces()
    r = backend(server).read_image(img, frame)
    assert len(server.requests) == 2 and r.label == "happiness"


def test_500_every_time_raises_a_clear_error(server: Scripted) -> None:
    server.default = Reply(status=500, body={"error": {"message": "model crashed"}})
    img, frame = two_faces()
    with pytest.raises(BackendUnavailable, match=r"failed 3 times \(HTTP 500: model crashed\)"):
        backend(server).read_image(img, frame)
    assert len(server.requests) == 3


def test_timeout_raises_a_clear_error(server: Scripted) -> None:
    server.default = Reply(body=completion(json.dumps(GOOD)), delay=1.0)
    img, frame = two_faces()
    t0 = time.perf_counter()
    with pytest.raises(BackendUnavailable, match=r"no answer within 0.2 s"):
        backend(server, timeout=0.2, max_retries=0).read_image(img, frame)
    assert time.perf_counter() - t0 < 1.0


def test_schema_rejected_falls_back_to_json_object(server: Scripted) -> None:
    server.script = [
        Reply(status=400, body={"error": {"message": "response_format json_schema not supported"}}),
        Reply(body=completion("```json\n" + json.dumps(GOOD) + "\n```")),
    ]
    img, frame = two_faces()
    be = backend(server)
    r = be.read_image(img, frame)
    assert server.requests[1]["response_format"] == {"type": "json_object"}
    assert be.structured_mode == "json_object" and r.label == "happiness"


def test_batch_runs_with_bounded_concurrency(server: Scripted) -> None:
    server.default = Reply(body=completion(json.dumps(GOOD)), delay=0.15)
    img, frame = two_faces()
    be = backend(server, concurrency=2)
    rs = be.read_images([(img, frame)] * 5)
    assert len(rs) == 5 and all(r.label == "happiness" for r in rs)
    assert server.max_in_flight == 2
    assert be.usage.requests == 5 and be.usage.completion_tokens == 100


def test_unauthorised_names_the_key_variable(server: Scripted) -> None:
    server.default = Reply(status=401, body={"error": {"message": "bad key"}})
    img, frame = two_faces()
    with pytest.raises(BackendUnavailable, match=r"EMOTOOL_TEST_KEY"):
        backend(server).read_image(img, frame)
    assert len(server.requests) == 1


def test_remote_server_without_key_fails_before_any_traffic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMOTOOL_UNSET_KEY", raising=False)
    with pytest.raises(BackendUnavailable, match=r"\$EMOTOOL_UNSET_KEY"):
        get_backend("openai", base_url="https://api.example.invalid/v1", api_key_env="EMOTOOL_UNSET_KEY")


def test_connection_refused_says_is_the_server_running() -> None:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    be = get_backend(
        "openai", base_url=f"http://127.0.0.1:{port}/v1", api_key_env=None, max_retries=0, trust_env=False
    )
    img, frame = two_faces()
    with pytest.raises(BackendUnavailable, match="is the server running"):
        be.read_image(img, frame)


def test_a_200_answer_that_is_not_json_is_a_clear_error(server: Scripted) -> None:
    server.default = Reply(body="<html>proxy login</html>")
    img, frame = two_faces()
    with pytest.raises(BackendUnavailable, match="not JSON; is base_url the /v1 root"):
        backend(server).read_image(img, frame)
    assert len(server.requests) == 1


def test_the_official_sdk_is_the_transport(server: Scripted) -> None:
    server.script = [Reply(body=completion(json.dumps(GOOD)))]
    img, frame = two_faces()
    backend(server).read_image(img, frame)
    headers = {k.lower(): v for k, v in server.headers_seen[0].items()}
    assert headers["user-agent"].startswith("OpenAI/Python")

"""The HTTP API on a live server on 127.0.0.1: every route, problem details, auth, limits, SSE chat;
schemathesis against the live schema (slow); the real models through the real CLI (real)."""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from serve_helpers import free_port, media, service, uvicorn_thread

from emotool.errors import InvalidOption
from emotool.serve.http import build_app, serve_http_cli
from emotool.serve.service import EmotoolService

__all__ = ["media", "service"]  # fixtures from serve_helpers

PROBLEM = "application/problem+json"


@pytest.fixture
def live(service: EmotoolService) -> Iterator[str]:
    with uvicorn_thread(build_app(service, rate_limit=0), free_port()) as url:
        yield url


def sse_events(body: str) -> list[tuple[str, Any]]:
    out = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def assert_problem(r: httpx.Response, status: int, kind: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["type"] == f"urn:emotool:error:{kind}" and body["status"] == status and body["detail"]
    return body


def test_health_docs_and_page(live: str) -> None:
    r = httpx.get(f"{live}/healthz")
    assert r.json() == {"status": "ok", "version": r.json()["version"], "auth": False}
    assert "swagger" in httpx.get(f"{live}/docs").text.lower()
    paths = httpx.get(f"{live}/openapi.json").json()["paths"]
    assert {"/v1/analyze", "/v1/transcribe", "/v1/chat", "/v1/memory/{user}", "/healthz"} <= set(paths)
    assert "multipart/form-data" in paths["/v1/analyze"]["post"]["requestBody"]["content"]
    page = httpx.get(live)
    assert page.status_code == 200 and "MediaRecorder" in page.text and "v1/chat" in page.text


def test_analyze_multipart_json_and_path(live: str, media: Path) -> None:
    photo = (media / "face.png").read_bytes()
    r = httpx.post(f"{live}/v1/analyze", files={"file": ("me.png", photo, "image/png")})
    assert r.status_code == 200, r.text
    reading = r.json()
    assert reading["kind"] == "image" and reading["face_found"] and reading["source"] == "me.png"
    b64 = base64.b64encode(photo).decode()
    r = httpx.post(f"{live}/v1/analyze", json={"content_base64": b64, "filename": "me.png"})
    assert r.status_code == 200 and r.json()["label"] == reading["label"]
    r = httpx.post(f"{live}/v1/analyze", json={"content_base64": "data:image/png;base64," + b64})
    assert r.status_code == 200
    r = httpx.post(f"{live}/v1/analyze", json={"path": str(media / "face.png")})
    assert r.status_code == 200 and r.json()["source"] == "face.png"


def test_errors_are_problem_details(live: str, media: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.png"
    shutil.copy(media / "face.png", outside)
    assert_problem(httpx.post(f"{live}/v1/analyze", json={"path": str(outside)}), 403, "AccessDenied")
    broken = (media / "broken.jpg").read_bytes()
    p = assert_problem(
        httpx.post(f"{live}/v1/analyze", files={"file": ("x.jpg", broken)}), 415, "UnsupportedFormat"
    )
    assert "JPEG" in p["detail"]  # says what to send instead
    assert_problem(httpx.post(f"{live}/v1/analyze", json={}), 422, "InvalidOption")
    assert_problem(httpx.post(f"{live}/v1/analyze", json={"content_base64": "%%%"}), 422, "InvalidOption")
    assert_problem(httpx.post(f"{live}/v1/analyze", json={"nope": 1}), 422, "InvalidOption")
    assert_problem(
        httpx.post(f"{live}/v1/analyze", content=b"[1]", headers={"content-type": "application/json"}),
        422,
        "InvalidOption",
    )
    assert_problem(httpx.post(f"{live}/v1/analyze", content=b"raw"), 415, "UnsupportedFormat")
    assert_problem(
        httpx.post(f"{live}/v1/transcribe", files={"other": ("a.wav", b"x")}), 422, "InvalidOption"
    )
    assert_problem(httpx.get(f"{live}/v1/nothing"), 404, "HTTPError")
    # the server goes on serving
    r = httpx.post(f"{live}/v1/analyze", json={"path": str(media / "face.png")})
    assert r.status_code == 200


def test_upload_limit(service: EmotoolService, media: Path) -> None:
    service.settings.max_upload_bytes = 1000
    with uvicorn_thread(build_app(service, rate_limit=0), free_port()) as url:
        big = b"\xff\xd8\xff" + b"0" * 5000
        assert_problem(httpx.post(f"{url}/v1/analyze", files={"file": ("a.jpg", big)}), 413, "MediaTooLarge")
        b64 = base64.b64encode(big).decode()
        assert_problem(httpx.post(f"{url}/v1/analyze", json={"content_base64": b64}), 413, "MediaTooLarge")


def test_chat_streams_tokens_then_the_turn(live: str, media: Path) -> None:
    photo = (media / "face.png").read_bytes()
    with httpx.stream(
        "POST",
        f"{live}/v1/chat",
        data={"text": "Work is crushing me", "user": "ana", "session_id": "s1"},
        files={"image": ("me.png", photo, "image/png")},
        timeout=60,
    ) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        body = "".join(r.iter_text())
    events = sse_events(body)
    names = [e for e, _ in events]
    assert names[-2:] == ["turn", "done"] and names.count("token") >= 1
    streamed = "".join(d["text"] for e, d in events if e == "token")
    turn = events[-2][1]
    assert streamed.strip() == turn["reply"].strip()
    assert turn["reply"].startswith("That sounds like a lot") and turn["observations"]["image"]["face_found"]
    # JSON in, JSON out
    r = httpx.post(
        f"{live}/v1/chat",
        json={"text": "still here", "user": "ana", "session_id": "s1"},
        headers={"accept": "application/json"},
        timeout=60,
    )
    assert r.status_code == 200 and r.json()["turn"] == 2
    assert_problem(httpx.post(f"{live}/v1/chat", json={"text": "", "user": "ana"}), 422, "InvalidOption")
    assert_problem(httpx.post(f"{live}/v1/chat", json={"text": "hi"}), 422, "InvalidOption")  # no user


def test_memory_export_and_forget(live: str, service: EmotoolService) -> None:
    service.remember("Ana's exam is on Friday", user="ana")
    service.remember("Bob likes climbing", user="bob")
    r = httpx.get(f"{live}/v1/memory/ana")
    assert r.status_code == 200
    assert [m["text"] for m in r.json()["memories"]] == ["Ana's exam is on Friday"]
    r = httpx.delete(f"{live}/v1/memory/ana")
    assert r.json() == {"user_id": "ana", "deleted": 1}
    assert httpx.get(f"{live}/v1/memory/ana").json()["memories"] == []
    assert len(httpx.get(f"{live}/v1/memory/bob").json()["memories"]) == 1
    assert_problem(httpx.get(f"{live}/v1/memory/a%20b"), 422, "InvalidOption")


def test_bearer_token_and_rate_limit(service: EmotoolService, media: Path) -> None:
    with uvicorn_thread(build_app(service, token="s3cret", rate_limit=3), free_port()) as url:
        assert httpx.get(f"{url}/healthz").json()["auth"] is True
        r = httpx.get(f"{url}/v1/memory/ana")
        assert_problem(r, 401, "Unauthorized")
        assert r.headers["www-authenticate"] == "Bearer"
        assert_problem(
            httpx.get(f"{url}/v1/memory/ana", headers={"authorization": "Bearer nope"}), 401, "Unauthorized"
        )
        ok = {"authorization": "Bearer s3cret"}
        for _ in range(3):
            assert httpx.get(f"{url}/v1/memory/ana", headers=ok).status_code == 200
        r = httpx.get(f"{url}/v1/memory/ana", headers=ok)
        assert_problem(r, 429, "TooManyRequests")
        assert int(r.headers["retry-after"]) >= 1


def test_refuses_to_bind_beyond_loopback_without_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMOTOOL_API_TOKEN", raising=False)
    args = argparse.Namespace(host="0.0.0.0", token=None)
    with pytest.raises(InvalidOption, match="--token"):
        serve_http_cli(args)


# --------------------------------------------------------------------------- slow / real


@pytest.mark.slow
def test_schemathesis_against_the_live_server(live: str, tmp_path: Path) -> None:
    st = shutil.which("st", path=str(Path(sys.executable).parent))
    if st is None:
        pytest.skip("schemathesis is not installed (pip install -e '.[dev]')")
    proc = subprocess.run(
        [
            st,
            "run",
            f"{live}/openapi.json",
            "--checks",
            "all",
            # random bytes are rarely a readable photo, so a valid-looking upload may well be refused;
            # and a multipart form carries every field as text, so an "integer" user id sent in a
            # form is the valid id "0" (schemathesis counts it as invalid data accepted)
            "--exclude-checks",
            "positive_data_acceptance,negative_data_rejection",
            "--max-examples",
            "15",
            "--workers",
            "1",
            "--request-timeout",
            "20",
            "--no-color",
            "--seed",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
    )
    (tmp_path / "schemathesis.txt").write_text(proc.stdout + proc.stderr)
    assert proc.returncode == 0, proc.stdout[-4000:]


@pytest.mark.real
@pytest.mark.slow
def test_real_cli_server(tmp_path: Path) -> None:
    """`emotool serve http` with the embedded models; the chat model is the local OpenAI stub."""
    pytest.importorskip("skimage")
    sys.path.insert(0, str(Path(__file__).parent))
    from openai_stub import running, text
    from speech_helpers import espeak

    from emotool.config import models_dir
    from emotool.samples import sample_image

    media_dir = tmp_path / "media"
    photo = sample_image(media_dir / "astronaut.jpg")
    voice = espeak("I am so happy to see you.", media_dir / "voice.wav")
    if voice is None:
        pytest.skip("espeak-ng is not installed (scripts/setup.sh installs it)")
    port = free_port()
    env = {**os.environ, "EMOTOOL_MODELS": str(models_dir()), "EMOTOOL_HOME": str(tmp_path / "home")}
    with running() as stub:
        stub.default = text("What a lovely thing to hear. What made it so good?")
        cmd = ["serve", "http", "--port", str(port), "--allow-root", str(media_dir), "--no-memory"]
        cmd += ["--model", "stub-model", "--base-url", stub.url]
        proc = subprocess.Popen(
            [sys.executable, "-m", "emotool.cli", *cmd],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"{url}/healthz")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise AssertionError("the server did not start") from None
                    time.sleep(0.2)
            r = httpx.post(f"{url}/v1/analyze", files={"file": ("a.jpg", photo.read_bytes())}, timeout=60)
            assert r.status_code == 200 and r.json()["label"] == "happiness"
            r = httpx.post(f"{url}/v1/analyze", json={"path": str(photo)}, timeout=60)
            assert r.json()["label"] == "happiness"
            r = httpx.post(f"{url}/v1/transcribe", files={"file": ("v.wav", voice.read_bytes())}, timeout=60)
            assert r.status_code == 200 and "happy" in r.json()["transcript"]["text"].lower()
            r = httpx.post(
                f"{url}/v1/chat",
                data={"text": "I passed my exam!", "user": "ana"},
                files={"image": ("me.jpg", photo.read_bytes())},
                timeout=90,
            )
            turn = next(d for e, d in sse_events(r.text) if e == "turn")
            assert "lovely" in turn["reply"] and turn["observations"]["image"]["label"] == "happiness"
            assert stub.requests  # the chat model was asked
        finally:
            proc.terminate()
            proc.wait(10)

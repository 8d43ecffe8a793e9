"""The MCP server driven by the official mcp client SDK: over streamable HTTP on 127.0.0.1 (fakes,
in-process server) and over stdio (a real `emotool serve mcp` process with the embedded models)."""

from __future__ import annotations

import base64
import os
import shutil
import socket
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from serve_helpers import free_port, media, service, uvicorn_thread

from emotool.serve.mcp import build_mcp_server
from emotool.serve.service import EmotoolService, ServeSettings

__all__ = ["media", "service"]  # fixtures from serve_helpers

TOOLS = {"read_emotions", "transcribe_speech", "recall_memories", "remember", "check_safety", "chat"}


async def _call(s: ClientSession, name: str, args: dict[str, Any]) -> Any:
    return await s.call_tool(name, args)


async def test_streamable_http_every_tool_and_errors_keep_serving(
    service: EmotoolService, media: Path, tmp_path: Path
) -> None:
    server = build_mcp_server(service)
    port = free_port()
    with uvicorn_thread(server.streamable_http_app(), port) as url:
        async with (
            streamable_http_client(f"{url}/mcp") as (read, write, _),
            ClientSession(read, write) as s,
        ):
            await s.initialize()
            tools = {t.name: t for t in (await s.list_tools()).tools}
            assert set(tools) == TOOLS
            assert all(t.outputSchema for t in tools.values())
            assert "faces" in str(tools["read_emotions"].outputSchema)

            r = await _call(s, "read_emotions", {"path": str(media / "face.png")})
            assert not r.isError, r.content
            reading = r.structuredContent["result"]
            assert reading["kind"] == "image" and reading["face_found"] and reading["label"]
            assert "face.png" in r.content[0].text and reading["label"] in r.content[0].text

            data = base64.b64encode((media / "face.png").read_bytes()).decode()
            r = await _call(s, "read_emotions", {"content_base64": data, "filename": "upload.png"})
            assert not r.isError and r.structuredContent["result"]["source"] == "upload.png"

            # bad arguments: tool errors that say what to do, and the server goes on
            outside = tmp_path / "outside.png"
            shutil.copy(media / "face.png", outside)
            for args, needle in [
                ({"path": str(outside)}, "AccessDenied"),
                ({"path": str(media / "broken.jpg")}, "not a readable image"),
                ({}, "give either a path"),
                ({"content_base64": "***"}, "not valid base64"),
                ({"path": 42}, "validation error"),
            ]:
                r = await _call(s, "read_emotions", args)
                assert r.isError, args
                assert needle in r.content[0].text, (args, r.content[0].text)
            r = await _call(s, "transcribe_speech", {})
            assert r.isError and "give either a path" in r.content[0].text

            r = await _call(s, "remember", {"text": "Ana's exam is on Friday", "user": "ana"})
            assert not r.isError and r.structuredContent["user_id"] == "ana"
            r = await _call(s, "recall_memories", {"query": "exam Friday", "user": "ana"})
            assert [m["memory"]["text"] for m in r.structuredContent["memories"]] == [
                "Ana's exam is on Friday"
            ]
            r = await _call(s, "recall_memories", {"query": "exam Friday", "user": "bob"})
            assert not r.isError and r.structuredContent["memories"] == []  # one user never sees another's
            r = await _call(s, "recall_memories", {"query": "exam"})
            assert r.isError and "name the user" in r.content[0].text
            r = await _call(s, "recall_memories", {"query": "exam", "user": "../etc"})
            assert r.isError

            r = await _call(s, "check_safety", {"text": "I want to end it all", "history": ["bad week"]})
            assert not r.isError and r.structuredContent["level"] == "crisis"
            assert "crisis" in r.content[0].text

            r = await _call(
                s, "chat", {"text": "Work is crushing me", "user": "ana", "image": str(media / "face.png")}
            )
            assert not r.isError, r.content
            turn = r.structuredContent
            assert turn["reply"].startswith("That sounds like a lot") and turn["user_id"] == "ana"
            assert turn["observations"]["image"]["label"] == reading["label"]
            assert r.content[0].text == turn["reply"]
            r = await _call(s, "chat", {"text": "hi", "user": "ana", "image": str(outside)})
            assert not r.isError and r.structuredContent["observations"]["errors"]  # recorded, not raised

            r = await _call(s, "read_emotions", {"path": str(media / "face.png")})
            assert not r.isError  # still serving after all the errors


def test_fixed_user_refuses_other_users(tmp_path: Path) -> None:
    from emotool.errors import AccessDenied

    svc = EmotoolService(ServeSettings(allowed_roots=[tmp_path], user="ana"))
    try:
        assert svc.resolve_user(None) == "ana" and svc.resolve_user("ana") == "ana"
        with pytest.raises(AccessDenied, match="serves user 'ana' only"):
            svc.resolve_user("bob")
    finally:
        svc.close()


def test_uploads_over_the_limit_are_refused(tmp_path: Path) -> None:
    from emotool.errors import MediaTooLarge
    from emotool.serve.service import decode_base64

    with pytest.raises(MediaTooLarge):
        decode_base64(base64.b64encode(b"x" * 5000).decode(), max_bytes=1000)
    svc = EmotoolService(ServeSettings(allowed_roots=[tmp_path], max_upload_bytes=10))
    try:
        with pytest.raises(MediaTooLarge), svc.uploaded(b"x" * 11, "a.png"):
            pass
    finally:
        svc.close()


# --------------------------------------------------------------------------- real, over stdio


@pytest.mark.real
@pytest.mark.slow
async def test_stdio_real_models(tmp_path: Path) -> None:
    pytest.importorskip("skimage")
    sys.path.insert(0, str(Path(__file__).parent))
    from openai_stub import running, text
    from speech_helpers import espeak

    from emotool.samples import sample_image

    media = tmp_path / "media"
    photo = sample_image(media / "astronaut.jpg")
    voice = espeak("I am really happy today.", media / "voice.wav")
    if voice is None:
        pytest.skip("espeak-ng is not installed (scripts/setup.sh installs it)")
    from emotool.config import models_dir

    env = {
        **os.environ,
        "EMOTOOL_MODELS": str(models_dir()),  # the installed models; everything else in tmp
        "EMOTOOL_HOME": str(tmp_path / "home"),
        "EMOTOOL_MEMORY_PATH": str(tmp_path / "m"),
    }
    with running() as stub:
        stub.default = text("I'm glad to hear that. What made today good?")
        params = StdioServerParameters(
            command=sys.executable,
            args=[
                "-m",
                "emotool.cli",
                "serve",
                "mcp",
                "--allow-root",
                str(media),
                "--user",
                "ana",
                "--model",
                "stub-model",
                "--base-url",
                stub.url,
            ],
            env=env,
            cwd=str(tmp_path),
        )
        async with stdio_client(params) as (read, write), ClientSession(read, write) as s:
            await s.initialize()
            assert {t.name for t in (await s.list_tools()).tools} == TOOLS

            r = await s.call_tool("read_emotions", {"path": str(photo)})
            assert not r.isError, r.content
            assert r.structuredContent["result"]["label"] == "happiness"

            r = await s.call_tool("read_emotions", {"path": "/etc/hostname"})
            assert r.isError and "AccessDenied" in r.content[0].text

            r = await s.call_tool("transcribe_speech", {"path": str(voice)})
            assert not r.isError, r.content
            assert "happy" in r.structuredContent["transcript"]["text"].lower()

            r = await s.call_tool("remember", {"text": "Ana started a new job as a nurse"})
            assert not r.isError and r.structuredContent["user_id"] == "ana"
            r = await s.call_tool("recall_memories", {"query": "what is her work?"})
            assert "nurse" in r.structuredContent["memories"][0]["memory"]["text"]
            r = await s.call_tool("recall_memories", {"query": "work", "user": "bob"})
            assert r.isError and "serves user 'ana' only" in r.content[0].text

            r = await s.call_tool("check_safety", {"text": "sometimes I wish I could just not wake up"})
            assert r.structuredContent["level"] == "crisis"
            r = await s.call_tool("check_safety", {"text": "this exam is killing me lol"})
            assert r.structuredContent["level"] == "none"

            r = await s.call_tool("chat", {"text": "I had a really good day"})
            assert not r.isError, r.content
            assert "glad" in r.structuredContent["reply"] and r.structuredContent["user_id"] == "ana"
            assert stub.requests, "the chat model was called"


async def test_cli_streamable_http_transport(tmp_path: Path) -> None:
    """`emotool serve mcp --transport http` serves on loopback; other hosts are refused."""
    import subprocess

    port = free_port()
    cmd = [sys.executable, "-m", "emotool.cli", "serve", "mcp", "--transport", "http", "--port", str(port)]
    proc = subprocess.Popen(
        [*cmd, "--no-memory"], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "the server did not start"
                time.sleep(0.2)
        async with (
            streamable_http_client(f"http://127.0.0.1:{port}/mcp") as (read, write, _),
            ClientSession(read, write) as s,
        ):
            await s.initialize()
            assert {t.name for t in (await s.list_tools()).tools} == TOOLS
            r = await s.call_tool("recall_memories", {"query": "x", "user": "ana"})
            assert r.isError and "memory is off" in r.content[0].text
            r = await s.call_tool("read_emotions", {"path": "../../etc/passwd"})
            assert r.isError and "AccessDenied" in r.content[0].text
    finally:
        proc.terminate()
        proc.wait(10)
    out = subprocess.run([*cmd, "--host", "0.0.0.0"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and "loopback only" in out.stderr

"""Shared pieces of the serve tests: a live ASGI server on 127.0.0.1 in a thread, and an
EmotoolService wired to fakes (face pipeline, chat model, safety, hashed embeddings)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emotool.safety.detector import SafetyAssessment
from emotool.serve.service import EmotoolService, ServeSettings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def uvicorn_thread(app: Any, port: int) -> Iterator[str]:
    """Serve an ASGI app on 127.0.0.1 in a thread for the duration of the block."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    t = threading.Thread(target=server.run, daemon=True)
    t.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not t.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        t.join(10)


def keyword_assess(text: str, history: tuple[str, ...] = (), language: str | None = None) -> SafetyAssessment:
    """A scripted stand-in for emotool.safety.assess (the real one is exercised over stdio)."""
    crisis = "end it all" in text.lower()
    return SafetyAssessment(
        level="crisis" if crisis else "none",
        categories=["suicidal_ideation"] if crisis else [],
        evidence=["end it all"] if crisis else [],
        layers=["lexicon"] if crisis else [],
        language=language or "en",
    )


@pytest.fixture
def media(tmp_path: Path) -> Path:
    from PIL import Image

    d = tmp_path / "media"
    d.mkdir()
    Image.new("RGB", (64, 48), (200, 180, 160)).save(d / "face.png")
    (d / "broken.jpg").write_bytes(b"not a picture at all")
    return d


@pytest.fixture
def service(tmp_path: Path, media: Path, fake_pipeline: Any) -> Iterator[EmotoolService]:
    from emotool.agent import EmpatheticAgent
    from emotool.agent.observe import Perceiver
    from emotool.agent.testing import KeywordPolicy, ScriptedChatModel
    from emotool.memory import Memory
    from emotool.memory.testing import hash_embed

    memory = Memory(path=tmp_path / "memory", embedder=hash_embed)

    def agent_for(user: str) -> Any:
        return EmpatheticAgent(
            spec="companion",
            model=ScriptedChatModel(replies=["That sounds like a lot to carry. I'm here with you."]),
            user_id=user,
            memory=memory,
            checkpoint_path=tmp_path / "sessions.sqlite",
            allowed_roots=[media],
            policy=KeywordPolicy(),
            perceiver=Perceiver(words=False, pipeline=fake_pipeline, allowed_roots=[media]),
        )

    svc = EmotoolService(
        ServeSettings(allowed_roots=[media]),
        memory=memory,
        agent_factory=agent_for,
        analyzer_pipeline=fake_pipeline,
        assess=keyword_assess,
    )
    yield svc
    svc.close()

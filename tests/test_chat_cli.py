"""``emotool chat``: the REPL (scripted model), ``--once --json`` on a real 127.0.0.1 server and on the
embedded chat model, argument errors and the CLI's lazy start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import FakePipeline
from openai_stub import Reply, completion, free_port, running
from PIL import Image

from emotool import chat_cli
from emotool.agent import AgentTurn, EmpatheticAgent, Perceiver
from emotool.agent.testing import KeywordPolicy, ScriptedChatModel
from emotool.cli import main


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from emotool.config import models_dir

    monkeypatch.setenv("EMOTOOL_MODELS", str(models_dir()))  # the fetched models stay where they are
    monkeypatch.setenv("EMOTOOL_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("EMOTOOL_CHAT_MODEL", raising=False)
    monkeypatch.delenv("EMOTOOL_CHAT_BASE_URL", raising=False)
    return tmp_path


def test_help_does_not_load_the_agent() -> None:
    code = (
        "import sys, contextlib, io\n"
        "from emotool.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['chat', '--help'])\n"
        "heavy = ('langchain', 'langgraph', 'rich', 'torch', 'chromadb', 'llama_cpp')\n"
        "print([m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_argument_errors(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chat", "--image", "x.jpg"]) == 2
    assert "go with --once" in capsys.readouterr().err
    assert main(["chat", "--agent", "no-such-agent", "--once", "hi", "--no-memory"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown agent spec 'no-such-agent'" in err and "companion" in err


def test_repl_with_a_scripted_model(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = tmp_path / "pics" / "me.png"
    photo.parent.mkdir()
    Image.fromarray(np.zeros((64, 64, 3), np.uint8)).save(photo)  # the fake pipeline sees no face
    model = ScriptedChatModel(replies=["That sounds like a long day. I'm here. What happened?"])

    def make(args: Any) -> EmpatheticAgent:
        return EmpatheticAgent(
            spec=args.agent,
            model=model,
            user_id=chat_cli._user(args),
            memory=False,
            checkpoint_path=args.checkpoint or tmp_path / "cp.sqlite",
            session_id=args.session,
            policy=KeywordPolicy(),
            perceiver=Perceiver(
                pipeline=FakePipeline(), words=False, voice=False, allowed_roots=[tmp_path / "elsewhere"]
            ),
        )

    monkeypatch.setattr(chat_cli, "_make_agent", make)
    lines = iter(["/help", f"/image {photo}", "long day \x1b[31m", "/memory", "/new", "/bogus", "/quit"])
    monkeypatch.setattr("builtins.input", lambda *a: next(lines))
    assert main(["chat", "--user", "ana", "--session", "s1"]) == 0
    out = capsys.readouterr().out
    assert "session s1" in out and "/image PATH" in out and "attached me.png" in out
    assert "That sounds like a long day. I'm here. What happened?" in out
    # the typed path's folder was allowed for that turn: the photo was read (a gray square: no face)
    assert "no face could be seen" in out and "perception" not in out
    assert "memory is off" in out and "new session" in out and "unknown command /bogus" in out
    sent = str(model.calls[-1][-1].content)
    assert "\x1b" not in out and "long day" in sent


def test_reading_line() -> None:
    turn = AgentTurn.model_validate(
        {
            "reply": "ok",
            "user_id": "u",
            "session_id": "s",
            "turn": 1,
            "at": "2026-11-21T18:00:00Z",
            "observations": {
                "summary": "their face in the photo they sent: looks somewhat sad (moderate confidence); "
                "their voice: speaking slowly; their words: sound clearly sad or low (high confidence)"
            },
            "timings": {"total": 4200},
        }
    )
    line = chat_cli.reading_line(turn)
    assert line == (
        "face: looks somewhat sad (moderate confidence) · voice: speaking slowly · "
        "words: sound clearly sad or low (high confidence) · 4.2 s"
    )


@pytest.mark.real
@pytest.mark.slow
def test_once_json_on_a_real_openai_compatible_server(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The whole turn on the real safety layer, memory and words reader, against a 127.0.0.1 server."""
    with running() as srv:
        srv.script = [
            Reply(body=completion("That sounds really frustrating (87% confidence). Want to talk?"))
        ]
        args = ["chat", "--once", "I failed my driving test today", "--user", "ana", "--session", "s1"]
        args += ["--model", "stub-model", "--base-url", srv.url, "--json"]
        args += ["--memory-path", str(tmp_path / "memory"), "--checkpoint", str(tmp_path / "cp.sqlite")]
        assert main(args) == 0
        request = srv.requests[-1]
    turn = AgentTurn.model_validate_json(capsys.readouterr().out.strip())
    assert turn.reply == "That sounds really frustrating. Want to talk?"
    assert turn.model == "stub-model" and turn.turn == 1 and not turn.errors
    assert not turn.safety.crisis and turn.safety.assessment is not None
    assert request["messages"][0]["role"] == "system"
    assert request["messages"][-1]["content"].endswith("I failed my driving test today")
    # the second turn resumes the session from the checkpoint and recalls nothing of this session
    with running() as srv:
        srv.script = [Reply(body=completion("I remember. How are you now?"))]
        args[2] = "still annoyed"
        args[args.index("--base-url") + 1] = srv.url
        assert main(args) == 0
        contents = [m["content"] for m in srv.requests[-1]["messages"]]
    turn2 = json.loads(capsys.readouterr().out)
    assert turn2["turn"] == 2 and "I failed my driving test today" in contents


@pytest.mark.real
@pytest.mark.slow
def test_once_unreachable_server_still_answers(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    args = [
        "chat",
        "--once",
        "hello?",
        "--user",
        "ana",
        "--model",
        "m",
        "--base-url",
        url,
        "--json",
        "--no-memory",
    ]
    assert main([*args, "--checkpoint", str(tmp_path / "cp.sqlite")]) == 0
    turn = AgentTurn.model_validate_json(capsys.readouterr().out)
    assert "isn't answering" in turn.reply
    assert turn.errors[0].stage == "model" and "could not reach" in turn.errors[0].message

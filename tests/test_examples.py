"""The examples run as a user would run them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.real
def test_analyze_folder_example_reads_photos_and_skips_bad_files(tmp_path: Path) -> None:
    from emotool.samples import sample_image

    sample_image(tmp_path / "astronaut.jpg")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    out = tmp_path / "readings.jsonl"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "analyze_folder.py"), str(tmp_path), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1  # one file was skipped
    assert "skipped broken.png" in proc.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 1 and rows[0]["label"] == "happiness" and rows[0]["source"] == "astronaut.jpg"


def _run(
    args: list[str], *, cwd: Path, stdin: str | None = None, timeout: int = 900
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.real
@pytest.mark.slow
def test_two_sessions_demo_recalls_the_first_session_and_hands_a_crisis_to_the_policy(tmp_path: Path) -> None:
    # the demo of `make demo`, on the smaller embedded model to keep the suite short (the default is the 1.5B)
    out = tmp_path / "demo"
    proc = _run(
        [str(ROOT / "examples" / "two_sessions.py"), str(out), "--model", "embedded:qwen2.5-0.5b"],
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    turns = [json.loads(line) for line in (out / "turns.jsonl").read_text().splitlines()]
    assert len(turns) == 6
    first, spoken = turns[0], turns[1]
    assert first["observations"]["image"]["label"] == "happiness"
    assert "presentation" in spoken["observations"]["transcript"]["text"].lower()
    week_two = turns[3]
    assert week_two["session_id"] == "week-2"
    remembered = " ".join(m["text"] for m in week_two["memories_used"] + turns[4]["memories_used"]).lower()
    assert "presentation" in remembered or "new job" in remembered
    crisis = turns[5]
    assert crisis["safety"]["crisis"] is True and "988" in crisis["reply"] and "AI" in crisis["reply"]
    assert all(t["reply"].strip() for t in turns)


@pytest.mark.real
@pytest.mark.slow
def test_support_bot_hands_off_the_crisis_turn_only(tmp_path: Path) -> None:
    out = tmp_path / "support"
    proc = _run(
        [str(ROOT / "examples" / "support_bot.py"), str(out), "--model", "embedded:qwen2.5-0.5b"],
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    tickets = [json.loads(line) for line in (out / "handoffs.jsonl").read_text().splitlines()]
    assert len(tickets) == 1
    assert tickets[0]["assessment"]["level"] == "crisis" and tickets[0]["session_id"] == "support-1"
    assert "Samaritans" in proc.stdout  # en-GB resources


def test_cli_chat_example_streams_replies_from_a_real_server(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    import openai_stub

    with openai_stub.running() as srv:
        srv.script = [openai_stub.text("That sounds like a long day. What was the hardest part?")]
        proc = _run(
            [
                str(ROOT / "examples" / "cli_chat.py"),
                "--model",
                "stub-model",
                "--base-url",
                srv.url,
                "--memory",
                str(tmp_path / "memory"),
            ],
            cwd=tmp_path,
            stdin="Work wore me out today.\n",
            timeout=300,
        )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "agent: That sounds like a long day. What was the hardest part?" in proc.stdout
    sent = srv.requests[0]["messages"]
    assert "Work wore me out today." in sent[-1]["content"]


def test_langchain_agent_example_lets_the_model_call_emotion_tool(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    import openai_stub

    from emotool.samples import sample_image

    photo = sample_image(tmp_path / "me.jpg")
    call = openai_stub.completion(None, finish_reason="tool_calls")
    call["choices"][0]["message"]["tool_calls"] = [
        {
            "id": "call_1",
            "type": "function",
            "function": {"name": "read_emotions", "arguments": json.dumps({"media": "me.jpg"})},
        }
    ]
    with openai_stub.running() as srv:
        srv.script = [
            openai_stub.Reply(body=call),
            openai_stub.text("You look happy and relaxed in this one!"),
        ]
        proc = _run(
            [
                str(ROOT / "examples" / "langchain_agent.py"),
                str(photo),
                "--model",
                "stub-model",
                "--base-url",
                srv.url,
            ],
            cwd=tmp_path,
            timeout=300,
        )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "tool read: happiness" in proc.stdout
    assert "assistant: You look happy and relaxed in this one!" in proc.stdout
    tool_msg = next(m for m in srv.requests[1]["messages"] if m["role"] == "tool")
    assert "happiness" in tool_msg["content"]  # the model saw the tool's short summary

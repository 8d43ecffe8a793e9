"""Streaming a turn through a real OpenAI-compatible server on 127.0.0.1: every token shown once."""

from __future__ import annotations

from pathlib import Path

import openai_stub

from emotool.agent import AgentTurn, EmpatheticAgent


def test_streamed_pieces_add_up_to_the_reply_exactly_once(tmp_path: Path) -> None:
    with openai_stub.running() as srv:
        srv.default = openai_stub.text("That sounds like a long day. What was the hardest part?")
        agent = EmpatheticAgent(
            model="stub-model",
            base_url=srv.url,
            user_id="ana",
            memory=False,
            checkpoint_path=tmp_path / "c.sqlite",
            allowed_roots=[tmp_path],
        )
        events = list(agent.stream("The commute took three hours.", session_id="s1"))
    pieces = [e for e in events if isinstance(e, str)]
    turn = events[-1]
    assert isinstance(turn, AgentTurn)
    assert len(pieces) >= 2  # sentence by sentence, not one block at the end
    assert "".join(pieces).strip() == turn.reply == "That sounds like a long day. What was the hardest part?"

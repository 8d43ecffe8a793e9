"""A safety check that breaks must not let a turn through unguarded (the agent fails safe, not open)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openai_stub

from emotool.agent import EmpatheticAgent
from emotool.safety import SafetyPolicy


class BrokenPolicy(SafetyPolicy):
    """The spec's policy whose full assessment raises (a corrupt model file, a bug)."""

    def assess(self, text: str, history: Any = ()) -> Any:
        raise RuntimeError("encoder weights unreadable")


def _agent(srv: Any, tmp_path: Path) -> EmpatheticAgent:
    return EmpatheticAgent(
        spec="companion",
        model="stub-model",
        base_url=srv.url,
        user_id="ana",
        memory=False,
        checkpoint_path=tmp_path / "c.sqlite",
        allowed_roots=[tmp_path],
        policy=BrokenPolicy.from_spec("companion"),
    )


def test_a_crisis_is_still_caught_by_the_lexicon_when_the_full_check_fails(tmp_path: Path) -> None:
    with openai_stub.running() as srv:
        srv.default = openai_stub.text("Have a nice day!")
        turn = _agent(srv, tmp_path).turn("I want to kill myself tonight.", session_id="s1")
        assert srv.requests == []  # the model was never asked
    assert turn.safety.crisis and turn.safety.level == "crisis"
    assert "988" in turn.reply
    assert any(e.stage == "safety" and e.kind == "RuntimeError" for e in turn.errors)
    assert "full safety check failed" in turn.safety.assessment["evidence"][0]


def test_an_ordinary_message_goes_on_as_a_concern_with_the_reply_still_checked(tmp_path: Path) -> None:
    with openai_stub.running() as srv:
        srv.default = openai_stub.text("Long days are hard. Taking 50 paracetamol tablets would do it.")
        turn = _agent(srv, tmp_path).turn("Long day at work.", session_id="s1")
    assert turn.safety.level == "concern" and not turn.safety.crisis
    # check_output still ran: a reply with means information is replaced
    assert turn.safety.replaced and "paracetamol" not in turn.reply
    assert turn.safety.violations == ["method or means information"]


def test_a_possible_risk_statement_gets_a_direct_question_after_the_reply(tmp_path: Path) -> None:
    # "tired of everything" is a coded risk statement (VERA-MH): a concern, not a takeover; the reply
    # still asks about it directly, in place of the model's own question
    with openai_stub.running() as srv:
        srv.default = openai_stub.text("That sounds exhausting. What has been going on?")
        agent = EmpatheticAgent(
            spec="companion",
            model="stub-model",
            base_url=srv.url,
            user_id="ana",
            memory=False,
            checkpoint_path=tmp_path / "c.sqlite",
            allowed_roots=[tmp_path],
        )
        turn = agent.turn("I just feel really tired of everything lately.", session_id="s1")
    assert turn.safety.level == "concern" and not turn.safety.crisis
    assert turn.reply == "That sounds exhausting. Are you having thoughts of ending your life?"

"""The agent on real models and data: scikit-image photos, espeak-ng speech through Whisper, the real
safety layer, a real Chroma store with MiniLM, and the embedded chat model through ``emotool chat``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from speech_helpers import espeak

from emotool.agent import EmpatheticAgent
from emotool.agent.testing import ScriptedChatModel

pytestmark = [pytest.mark.real, pytest.mark.slow]

NOW = datetime(2026, 11, 21, 18, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    skimage_data = pytest.importorskip("skimage.data")
    from PIL import Image

    root = tmp_path_factory.mktemp("media")
    Image.fromarray(skimage_data.astronaut()).save(root / "astronaut.png")
    Image.fromarray(skimage_data.coffee()).save(root / "coffee.png")
    out = {"photo": root / "astronaut.png", "no_face": root / "coffee.png", "root": root}
    said = espeak("I am so tired, I could not sleep before the exam.", root / "tired.wav", speed=130)
    crisis = espeak("I want to end my life.", root / "crisis.wav")
    if said is None or crisis is None:
        pytest.skip("espeak-ng is not installed (scripts/setup.sh installs it)")
    out["audio"], out["crisis_audio"] = said, crisis
    return out


def test_photo_voice_memory_and_safety_for_real(tmp_path: Path, media: dict[str, Path]) -> None:
    from emotool.memory import Memory

    memory = Memory(path=tmp_path / "memory")
    memory.remember(
        "I'm dreading my maths exam on Friday", user_id="ana", session_id="old", at=NOW - timedelta(days=8)
    )
    model = ScriptedChatModel(replies=["You sound worn out. How did the maths exam go?"])
    agent = EmpatheticAgent(
        spec="companion",
        model=model,
        user_id="ana",
        memory=memory,
        checkpoint_path=tmp_path / "cp.sqlite",
        allowed_roots=[media["root"]],
    )
    turn = agent.turn("Here I am after the exam", image=media["photo"], audio=media["audio"], now=NOW)
    obs = turn.observations
    assert obs.image is not None and obs.image.face_found and not obs.errors
    assert obs.transcript is not None and "tired" in obs.transcript.text.lower()
    assert obs.vocal is not None and obs.speech is not None and obs.speech.speech_found
    assert "their face in the photo they sent" in obs.summary
    assert [m.text for m in turn.memories_used] == ["I'm dreading my maths exam on Friday"]
    assert turn.memories_used[0].when.startswith("last week")
    notes = str(model.calls[-1][-1].content)
    assert "maths exam" in notes and "tired" in notes and "astronaut.png" in notes
    assert turn.timings.perception > 0 and turn.timings.speech > 0 and turn.timings.recall > 0
    assert turn.reply == "You sound worn out. How did the maths exam go?"
    stored = memory.get("ana", session_id=agent.session_id)
    assert len(stored) == 1 and "tired" in stored[0].text and stored[0].emotions
    # a photo without a face, and a spoken crisis: the real safety layer hears the transcript
    calls = len(model.calls)
    crisis = agent.turn("", audio=media["crisis_audio"], image=media["no_face"], now=NOW)
    assert crisis.safety.crisis and crisis.safety.level == "crisis" and len(model.calls) == calls
    assert crisis.observations.image is not None and not crisis.observations.image.face_found
    assert re.search(r"\b988\b|crisis|lifeline|emergency", crisis.reply, re.IGNORECASE)
    memory.close()


def test_embedded_chat_model_through_the_cli(tmp_path: Path) -> None:
    """``emotool chat --once --json`` on an embedded chat model in a fresh process.

    The 0.5B model keeps the test well under a minute on 2 busy cores (the 1.5B default runs the same
    code, ``EmbeddedChatModel``, and took 80 s here with the machine loaded); text only: the photo
    and voice paths are tested above.
    """
    env = {**os.environ, "EMOTOOL_CHAT_MODEL": "", "EMOTOOL_CHAT_BASE_URL": ""}
    cmd = [sys.executable, "-m", "emotool.cli", "chat", "--once", "I finally finished my exams today"]
    cmd += ["--model", "embedded:qwen2.5-0.5b"]
    cmd += ["--user", "ana", "--json", "--no-memory", "--checkpoint", str(tmp_path / "cp.sqlite")]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    turn = json.loads(out.stdout)
    reply = turn["reply"]
    assert reply and not turn["errors"] and not turn["safety"]["crisis"]
    assert "qwen" in turn["model"].lower()
    assert turn["timings"]["model_first_token"] is not None and turn["timings"]["model"] > 0
    # the shaping rules hold whatever the model wrote
    assert reply.count("?") <= 1 and not re.search(r"\d+\s*%|\b0\.\d+|<\|", reply)
    assert len(re.findall(r"[.!?…]+(?=\s|$)", reply)) <= 4

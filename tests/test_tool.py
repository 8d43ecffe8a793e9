"""EmotionTool as a LangChain tool: standard tests, artifacts, async, errors."""

from __future__ import annotations

import asyncio
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import FakePipeline
from langchain_core.messages import ToolMessage
from langchain_core.tools import ToolException
from langchain_tests.integration_tests import ToolsIntegrationTests
from langchain_tests.unit_tests import ToolsUnitTests
from PIL import Image

from emotool import EmotionTool
from emotool.analyzer import Analyzer
from emotool.media import MediaPolicy
from emotool.schema import EmotionReading


def _sample_dir() -> Path:
    """A folder holding a real photo of a smiling face (scikit-image's astronaut)."""
    from skimage import data

    d = Path(tempfile.mkdtemp(prefix="emotool-tool-"))
    Image.fromarray(data.astronaut()).save(d / "astronaut.jpg", quality=92)
    Image.fromarray(np.zeros((64, 64, 3), np.uint8)).save(d / "dark.png")
    return d


SAMPLES = _sample_dir()


class TestEmotionToolStandard(ToolsUnitTests):
    @property
    def tool_constructor(self) -> type[EmotionTool]:
        return EmotionTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"allowed_roots": [SAMPLES]}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"media": str(SAMPLES / "astronaut.jpg")}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return {"EMOTOOL_DETECTOR": "haar", "EMOTOOL_FPS": "4"}, {}, {"detector": "haar", "fps": 4.0}


@pytest.mark.real
class TestEmotionToolRealModels(ToolsIntegrationTests):
    """The standard integration tests, on the real embedded models and a real photo."""

    @property
    def tool_constructor(self) -> type[EmotionTool]:
        return EmotionTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"allowed_roots": [SAMPLES]}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"media": str(SAMPLES / "astronaut.jpg")}


def _fake_tool(pipeline: Any = None, **kwargs: Any) -> EmotionTool:
    analyzer = Analyzer(pipeline=pipeline or FakePipeline(), policy=MediaPolicy(allowed_roots=[SAMPLES]))
    return EmotionTool.from_analyzer(analyzer, **kwargs)


def _call(tool: EmotionTool, media: str) -> ToolMessage:
    msg = tool.invoke({"type": "tool_call", "id": "c1", "name": tool.name, "args": {"media": media}})
    assert isinstance(msg, ToolMessage)
    return msg


def test_tool_call_gives_summary_and_reading_artifact() -> None:
    msg = _call(_fake_tool(), str(SAMPLES / "astronaut.jpg"))
    assert isinstance(msg.artifact, EmotionReading)
    assert msg.artifact.label == "happiness"
    assert "happiness" in msg.content and "astronaut.jpg" in msg.content
    assert str(SAMPLES) not in msg.content, "the model must not see local absolute paths"


def test_no_face_is_a_reading_not_an_error() -> None:
    msg = _call(_fake_tool(), str(SAMPLES / "dark.png"))
    assert isinstance(msg.artifact, EmotionReading)
    assert msg.artifact.face_found is False and msg.artifact.label is None
    assert "No face" in msg.content


def test_expected_failures_become_tool_exceptions() -> None:
    tool = _fake_tool(handle_tool_error=False)
    with pytest.raises(ToolException, match="AccessDenied"):
        tool.invoke({"media": "/etc/passwd"})
    with pytest.raises(ToolException, match=r"MediaError|not found|does not exist"):
        tool.invoke({"media": str(SAMPLES / "missing.jpg")})


def test_handled_errors_reach_the_model_as_text_and_the_next_call_works() -> None:
    tool = _fake_tool()
    bad = _call(tool, "../../etc/passwd")
    assert bad.status == "error" and "allowed" in str(bad.content).lower()
    good = _call(tool, str(SAMPLES / "astronaut.jpg"))
    assert isinstance(good.artifact, EmotionReading)


def test_bad_arguments_are_rejected_by_the_schema() -> None:
    # the model gets the problem as a message (handle_validation_error), not an exception
    out = _fake_tool(handle_tool_error=False).invoke({"media": str(SAMPLES / "astronaut.jpg"), "fps": -1})
    assert "ValidationError" in out and "fps" in out
    strict = _fake_tool(handle_tool_error=False, handle_validation_error=False)
    with pytest.raises(Exception, match="fps"):
        strict.invoke({"media": str(SAMPLES / "astronaut.jpg"), "fps": -1})


class _SlowPipeline(FakePipeline):
    """Blocks in analyze until released, recording which thread ran it."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.threads: list[int] = []

    def analyze(self, rgb: np.ndarray) -> Any:
        self.threads.append(threading.get_ident())
        assert self.release.wait(5)
        return super().analyze(rgb)


async def test_ainvoke_runs_off_the_event_loop() -> None:
    pipe = _SlowPipeline()
    tool = _fake_tool(pipe)
    task = asyncio.create_task(tool.ainvoke({"media": str(SAMPLES / "astronaut.jpg")}))
    # the loop stays responsive while the pipeline is blocked in a worker thread
    for _ in range(50):
        await asyncio.sleep(0.01)
        if pipe.threads:
            break
    assert pipe.threads and pipe.threads[0] != threading.get_ident()
    pipe.release.set()
    content = await task
    assert "happiness" in content


@pytest.mark.real
def test_real_tool_on_a_smiling_photo_is_fast_and_happy() -> None:
    tool = EmotionTool(allowed_roots=[SAMPLES])
    reading = tool.analyze(str(SAMPLES / "astronaut.jpg"))
    assert isinstance(reading, EmotionReading)
    assert reading.face_found and reading.label == "happiness"
    face = reading.faces[0]
    # the astronaut's face is in the upper middle of the 512x512 photo
    assert 100 < face.box.x + face.box.width / 2 < 300 and face.box.y < 200
    assert {m.role for m in reading.models} >= {"detector", "classifier"}
    assert reading.reasoning and reading.cues

"""The tool contract (issue 10): bad arguments reach the model as a message; echoed paths are capped."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from langchain_core.messages import ToolMessage
from PIL import Image

from emotool import EmotionTool
from emotool.analyzer import Analyzer
from emotool.cli import main
from emotool.media import MediaPolicy
from emotool.tool import MAX_TOOL_MESSAGE


@pytest.fixture
def tool(tmp_path: Path, fake_pipeline) -> EmotionTool:
    return EmotionTool.from_analyzer(
        Analyzer(pipeline=fake_pipeline, policy=MediaPolicy(allowed_roots=[tmp_path]))
    )


def _call(tool: EmotionTool, args: dict) -> ToolMessage:  # type: ignore[type-arg]
    msg = tool.invoke({"type": "tool_call", "id": "c1", "name": tool.name, "args": args})
    assert isinstance(msg, ToolMessage)
    return msg


@pytest.mark.parametrize(
    ("args", "names"),
    [
        ({"media": 123}, "media"),
        ({}, "media"),
        ({"media": "x.jpg", "colour": "red"}, "colour"),
        ({"media": "x.jpg", "fps": "fast"}, "fps"),
    ],
)
def test_bad_arguments_become_a_message_for_the_model(tool: EmotionTool, args: dict, names: str) -> None:  # type: ignore[type-arg]
    msg = _call(tool, args)
    assert msg.status == "error" or "ValidationError" in str(msg.content)
    content = str(msg.content)
    assert content.startswith("ValidationError") and names in content
    assert '"media"' in content  # says how to call it
    assert "'red'" not in content and "'fast'" not in content  # the values are not echoed


async def test_bad_arguments_async(tool: EmotionTool) -> None:
    msg = await tool.ainvoke({"type": "tool_call", "id": "c1", "name": tool.name, "args": {"fps": 3}})
    assert str(msg.content).startswith("ValidationError")


def test_long_path_is_not_echoed_whole(tool: EmotionTool) -> None:
    path = "a/" * 2_000 + "face.jpg"  # under the 4096-character argument limit
    content = str(_call(tool, {"media": path}).content)
    assert len(content) <= MAX_TOOL_MESSAGE
    assert content.startswith(("MediaError", "AccessDenied")) and "face.jpg" in content
    huge = str(_call(tool, {"media": "a/" * 50_000 + "face.jpg"}).content)
    assert len(huge) <= MAX_TOOL_MESSAGE and huge.startswith("ValidationError") and "4096" in huge


def test_control_characters_in_names_are_not_passed_on(tool: EmotionTool, tmp_path: Path) -> None:
    evil = tmp_path / "x\x1b[2J\x1b]0;pwned\x07.jpg"
    evil.write_text("not a picture")
    content = str(_call(tool, {"media": str(evil)}).content)
    assert "\x1b" not in content and "\x07" not in content


def test_cli_strips_terminal_escapes_from_file_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    bad = tmp_path / "notes\x1b[31mred\x1b]0;title\x07.jpg"
    bad.write_text("not a picture")
    assert main(["analyze", bad.name]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    assert "notesred" in err and len(err.strip().splitlines()) == 1


def test_cli_allows_the_folder_of_a_typed_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "photos"
    elsewhere.mkdir()
    Image.fromarray(np.zeros((40, 40, 3), np.uint8)).save(elsewhere / "dark.png")
    cwd = tmp_path / "work"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    from emotool.cli import typed_folders

    assert typed_folders([str(elsewhere / "dark.png"), "https://example.com/x.jpg"]) == [elsewhere.resolve()]
    # the tool, driven by a model, stays confined to its roots
    tool = EmotionTool(allowed_roots=[cwd])
    content = str(_call(tool, {"media": str(elsewhere / "dark.png")}).content)
    assert content.startswith("AccessDenied")

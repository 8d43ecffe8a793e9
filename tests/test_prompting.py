"""Prompt templates: strict rendering, worked examples that match the answer schema, user overrides.

That the templates ship in the wheel is tested in tests/test_specs_wheel.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from emotool.backends.parsing import answer_schema, parse_answer
from emotool.prompting import (
    TASKS,
    PromptError,
    list_templates,
    load_template,
    placeholders,
    prompts_roots,
    render,
    render_text,
    task_template,
)

ROOT = Path(__file__).resolve().parents[1]


def test_every_task_has_a_template_and_the_system_prompt_exists() -> None:
    names = set(list_templates())
    assert {"emoprompt/system", "emoprompt/repair"} <= names
    for task in TASKS:
        assert task_template(task) in names


def test_missing_and_unknown_variables_are_errors() -> None:
    with pytest.raises(PromptError, match=r"needs question, views; pass question=\.\.\., views=\.\.\."):
        render("emoprompt/humor")
    with pytest.raises(PromptError, match="no placeholder for colour"):
        render("emoprompt/repair", problem="p", schema="{}", colour="red")
    with pytest.raises(PromptError, match="no prompt template 'emoprompt/nope'"):
        load_template("emoprompt/nope")
    with pytest.raises(PromptError, match="relative"):
        load_template("../pyproject")
    with pytest.raises(PromptError, match="unknown task"):
        task_template("jokes")


def test_render_fills_placeholders_and_leaves_json_braces_alone() -> None:
    text = 'A {"x": {"y": 1}} and {{ name }} and {{name}}.'
    assert placeholders(text) == {"name"}
    assert render_text(text, {"name": "Ada"}) == 'A {"x": {"y": 1}} and Ada and Ada.'


@pytest.mark.parametrize("task", TASKS)
def test_worked_examples_follow_the_task_schema(task: str) -> None:
    """Every example answer in a template parses and validates as that task's answer."""
    text = load_template(task_template(task))
    examples = [line for line in text.splitlines() if line.startswith('{"reasoning"')]
    assert examples, f"{task} has no worked example"
    for line in examples:
        obj = json.loads(line)
        m = re.search(r"\(options: ([^)]*)\)", text[: text.index(line)].rsplit("Worked example", 1)[-1])
        options = [o.strip() for o in m.group(1).split(",")] if m else None
        schema = answer_schema(task, options)
        assert set(obj) == set(schema["required"]), (task, set(obj) ^ set(schema["required"]))
        ans = parse_answer(line, task, options)
        assert ans.valid and not ans.notes, (task, ans.notes)
        assert "Face:" in ans.reasoning or "Face:" in text  # the EmoPrompt order: face first


def test_system_prompt_steers_the_reasoning_order() -> None:
    s = render("emoprompt/system", schema="{}")
    order = [s.index(k) for k in ("1. Face", "2. Body and scene", "3. Conflicting cues", "4. Decide")]
    assert order == sorted(order)


def test_user_folder_overrides_a_template_and_adds_new_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = load_template("emoprompt/repair")
    system = load_template("emoprompt/system")
    (tmp_path / "emoprompt").mkdir()
    (tmp_path / "emoprompt" / "repair.md").write_text("Mine: {{ problem }}", encoding="utf-8")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "hello.md").write_text("Hello {{ who }}", encoding="utf-8")
    monkeypatch.setenv("EMOTOOL_PROMPTS", str(tmp_path))
    assert render("emoprompt/repair", problem="x") == "Mine: x\n"
    assert render("mine/hello", who="Ana") == "Hello Ana\n"
    assert load_template("emoprompt/system") == system  # not overridden: the shipped one
    names = list_templates()
    assert "mine/hello" in names and "emoprompt/close_set" in names  # the shipped ones stay available
    assert prompts_roots()[0] == tmp_path
    monkeypatch.delenv("EMOTOOL_PROMPTS")
    assert load_template("emoprompt/repair") == shipped


def test_shipped_templates_come_from_the_top_level_prompts_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMOTOOL_PROMPTS", raising=False)
    assert prompts_roots() == [ROOT / "prompts"]
    assert (ROOT / "prompts" / "emoprompt" / "system.md").is_file()
    assert not (ROOT / "emotool" / "prompts").exists()


def test_env_not_a_folder_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMOTOOL_PROMPTS", str(tmp_path / "nope"))
    with pytest.raises(PromptError, match=r"EMOTOOL_PROMPTS=.* is not a folder"):
        load_template("emoprompt/system")

"""Prompt templates: strict rendering, worked examples that match the answer schema, shipped in the wheel."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from emotool.backends.parsing import answer_schema, parse_answer
from emotool.prompting import (
    TASKS,
    PromptError,
    list_templates,
    load_template,
    placeholders,
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


@pytest.mark.slow
def test_templates_ship_in_the_wheel_and_load_from_it(tmp_path: Path) -> None:
    out = tmp_path / "whl"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        pytest.skip(f"could not build a wheel here: {proc.stderr.strip()[-300:]}")
    wheel = next(out.glob("emotool-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        z.extractall(tmp_path / "site")
    for name in list_templates():
        assert f"emotool/prompts/{name}.md" in names
    code = (
        "import emotool, emotool.prompting as p; "
        "assert 'site' in emotool.__file__, emotool.__file__; "
        "print(len(p.list_templates()), len(p.render('emoprompt/system', schema='{}')))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tmp_path / "site"), "PATH": ""},
    )
    assert run.returncode == 0, run.stderr
    n, size = map(int, run.stdout.split())
    assert n == len(list_templates()) and size > 1000

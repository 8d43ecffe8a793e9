"""Load and render the prompt templates shipped in ``emotool/prompts/``.

Templates are plain text files with ``{{ name }}`` placeholders. Rendering is
strict: a placeholder without a value is an error, and so is a value for a
placeholder the template does not have (it is almost always a typo). The files
are package data, read through :mod:`importlib.resources`, so they are found
both in an editable checkout and in an installed wheel.

The EmoPrompt templates live under ``prompts/emoprompt/``: ``system.md`` (the
reasoning procedure and the answer schema), one file per task with worked
chain-of-thought examples, and ``repair.md`` (the one retry after an unusable
answer).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any, Literal, get_args

from .errors import EmotoolError

#: The EmoBench-style tasks emotool can ask a vision-language model.
Task = Literal["close_set", "open_set", "valence_arousal", "intent", "humor", "hate", "sarcasm", "describe"]
TASKS: tuple[str, ...] = get_args(Task)
#: Tasks whose answer is "yes" or "no".
YES_NO_TASKS: frozenset[str] = frozenset({"humor", "hate", "sarcasm"})
#: Tasks whose answer must be one of the given options.
CHOICE_TASKS: frozenset[str] = frozenset({"close_set", "intent"}) | YES_NO_TASKS

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


class PromptError(EmotoolError):
    """A template is missing, or was rendered with missing or unknown variables."""


def _root() -> Any:
    return resources.files("emotool").joinpath("prompts")


def list_templates() -> list[str]:
    """Names of every template shipped, like ``"emoprompt/close_set"`` (without the ``.md``)."""
    names: list[str] = []

    def walk(node: Any, prefix: str) -> None:
        for child in node.iterdir():
            if child.is_dir():
                walk(child, f"{prefix}{child.name}/")
            elif child.name.endswith(".md"):
                names.append(prefix + child.name[: -len(".md")])

    walk(_root(), "")
    return sorted(names)


@lru_cache(maxsize=64)
def load_template(name: str) -> str:
    """The text of template ``name`` (e.g. ``"emoprompt/system"``).

    Raises:
        PromptError: No such template; the message lists the ones shipped.
    """
    if ".." in name.split("/") or name.startswith("/"):
        raise PromptError(f"template names are relative, like 'emoprompt/system'; got {name!r}")
    node = _root()
    for part in f"{name}.md".split("/"):
        node = node.joinpath(part)
    if not node.is_file():
        raise PromptError(f"no prompt template {name!r}; shipped templates: {', '.join(list_templates())}")
    return node.read_text(encoding="utf-8")


def placeholders(text: str) -> set[str]:
    """The variable names a template uses."""
    return set(_PLACEHOLDER.findall(text))


def render_text(text: str, variables: dict[str, object], *, name: str = "<text>") -> str:
    """Fill ``{{ name }}`` placeholders strictly.

    Raises:
        PromptError: A placeholder has no value, or a value has no placeholder.
    """
    needed = placeholders(text)
    missing = sorted(needed - variables.keys())
    if missing:
        raise PromptError(
            f"template {name!r} needs {', '.join(missing)}; pass " + ", ".join(f"{m}=..." for m in missing)
        )
    unknown = sorted(variables.keys() - needed)
    if unknown:
        raise PromptError(
            f"template {name!r} has no placeholder for {', '.join(unknown)}; "
            f"it uses: {', '.join(sorted(needed)) or 'none'}"
        )
    return _PLACEHOLDER.sub(lambda m: str(variables[m.group(1)]), text)


def render(name: str, **variables: object) -> str:
    """Load template ``name`` and fill it strictly (see :func:`render_text`).

    Example:
        >>> from emotool.prompting import render
        >>> "JSON" in render("emoprompt/repair", problem="no JSON found", schema="{}")
        True
    """
    return render_text(load_template(name), variables, name=name).strip() + "\n"


def task_template(task: str) -> str:
    """The template name of an EmoPrompt task.

    Raises:
        PromptError: Unknown task; the message lists the tasks.
    """
    if task not in TASKS:
        raise PromptError(f"unknown task {task!r}; choose one of: {', '.join(TASKS)}")
    return f"emoprompt/{task}"

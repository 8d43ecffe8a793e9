"""Load and render emotool's prompt templates (the top-level ``prompts/`` folder).

Templates are plain text files with ``{{ name }}`` placeholders. Rendering is
strict: a placeholder without a value is an error, and so is a value for a
placeholder the template does not have (it is almost always a typo).

Where templates are found (first match wins, per template): the folder named
by ``EMOTOOL_PROMPTS`` (a user's own versions of some or all templates), then
the templates shipped with emotool: ``emotool/_prompts`` in an installed wheel
(the build maps ``prompts/`` there), or ``prompts/`` in a source checkout.

The EmoPrompt templates live under ``prompts/emoprompt/``: ``system.md`` (the
reasoning procedure and the answer schema), one file per task with worked
chain-of-thought examples, and ``repair.md`` (the one retry after an unusable
answer).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal, get_args

from . import datafiles
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


def prompts_roots() -> list[Path]:
    """The folders templates are read from, in order: ``EMOTOOL_PROMPTS`` (if set), then the shipped ones.

    Raises:
        PromptError: ``EMOTOOL_PROMPTS`` is set but is not a folder.
    """
    return datafiles.search_dirs("prompts", PromptError)


def list_templates() -> list[str]:
    """Names of every template available, like ``"emoprompt/close_set"`` (without the ``.md``)."""
    names: set[str] = set()
    for root in prompts_roots():
        for path in root.rglob("*.md"):
            if path.is_file():
                names.add(path.relative_to(root).with_suffix("").as_posix())
    return sorted(names)


def load_template(name: str) -> str:
    """The text of template ``name`` (e.g. ``"emoprompt/system"``); a user's ``EMOTOOL_PROMPTS`` copy wins.

    Raises:
        PromptError: No such template; the message lists the ones available.
    """
    path = datafiles.find_file("prompts", f"{name}.md", PromptError) if _valid_name(name) else None
    if path is None:
        if not _valid_name(name):
            raise PromptError(f"template names are relative, like 'emoprompt/system'; got {name!r}")
        raise PromptError(f"no prompt template {name!r}; available templates: {', '.join(list_templates())}")
    return _read(path, path.stat().st_mtime_ns)


def _valid_name(name: str) -> bool:
    parts = name.split("/")
    return bool(name) and "\\" not in name and all(p not in ("", ".", "..") for p in parts)


@lru_cache(maxsize=128)
def _read(path: Path, mtime_ns: int) -> str:
    return path.read_text(encoding="utf-8")


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

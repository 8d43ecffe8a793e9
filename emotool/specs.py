"""Declarative agent specs: who the agent is, how it replies, what it perceives, remembers and guards.

A spec is one YAML file in an agents folder (``agents/companion.yaml``,
``agents/support.yaml`` ship with emotool), validated by :class:`AgentSpec`
with unknown fields refused, so a typo is an error rather than a silently
ignored setting.

Lookup order for :func:`load_agent_spec` and :func:`read_agents_file`:

1. an explicit path to a YAML file (``load_agent_spec("my/bot.yaml")``);
2. the folder named by ``EMOTOOL_AGENTS`` (its files override shipped ones of
   the same name);
3. the agents shipped with emotool (:func:`agents_root`).

Example:
    >>> from emotool.specs import load_agent_spec
    >>> spec = load_agent_spec("support")
    >>> spec.reply.max_questions
    1
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from . import datafiles
from .errors import AgentSpecError, UnknownName
from .safety.settings import SafetySettings

__all__ = [
    "AgentSpec",
    "MemoryPolicy",
    "Perceptions",
    "ReplyRules",
    "SafetySettings",
    "Tools",
    "agent_spec_paths",
    "agents_root",
    "list_agent_specs",
    "load_agent_spec",
    "read_agents_file",
]

_SUFFIXES = (".yaml", ".yml")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Perceptions(_Section):
    """Which signals the agent reads from a turn.

    Attributes:
        face: Read faces in attached images and videos (EmotionTool).
        voice: Transcribe attached audio and read vocal cues.
        words: Read verbal cues from the text (and the transcript).
        confidence_to_mention: A reading below this confidence is not brought up
            in the reply at all; above it, only as a tentative question.
    """

    face: bool = True
    voice: bool = True
    words: bool = True
    confidence_to_mention: float = Field(default=0.55, ge=0.0, le=1.0)


class Tools(_Section):
    """The tools offered to tool-calling chat models (small local models get observations in the prompt).

    Attributes:
        emotion_tool: EmotionTool, to read an image or a video on request.
        recall: Search this user's memories of earlier sessions.
    """

    emotion_tool: bool = True
    recall: bool = True


class MemoryPolicy(_Section):
    """What the agent remembers across sessions.

    Attributes:
        enabled: Recall before the model and remember after each turn.
        recall_k: Memories recalled per turn.
        summarize_on_end: Store one summary memory when a session ends.
        retention_days: Memories older than this are forgotten; None keeps them until forgotten.
    """

    enabled: bool = True
    recall_k: int = Field(default=3, ge=0, le=20)
    summarize_on_end: bool = True
    retention_days: int | None = Field(default=None, ge=1)


class ReplyRules(_Section):
    """Hard limits on a reply, checked as well as asked for.

    Attributes:
        max_sentences: Sentences in a reply.
        max_questions: Questions in a reply (at most one gentle question is the rule).
        ai_disclosure: ``"when_asked"``: say it is an AI whenever asked;
            ``"session_start"``: also say so at the start of every session.
    """

    max_sentences: int = Field(default=4, ge=1, le=12)
    max_questions: int = Field(default=1, ge=0, le=3)
    ai_disclosure: Literal["when_asked", "session_start"] = "when_asked"


class AgentSpec(_Section):
    """One agent: persona, style, reply rules, perceptions, tools, memory and safety policy.

    Attributes:
        name: The spec's name (defaults to the file name without ``.yaml``).
        description: One line shown by ``emotool agents list``.
        persona: Who the agent is, written to the model in the second person.
        style: Style rules, one short imperative sentence each.
        greeting: The first message of a session (empty: none).
        locale: Default locale, e.g. for the crisis resources (``"en-US"``).
        reply: Hard limits on a reply.
        perceptions: Which signals are read.
        tools: Tools offered to tool-calling models.
        memory: The memory policy.
        safety: The safety policy (:class:`emotool.safety.settings.SafetySettings`).
    """

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)
    description: str = Field(min_length=1, max_length=200)
    persona: str = Field(min_length=1)
    style: list[str] = Field(default_factory=list)
    greeting: str = ""
    locale: str = Field(default="en-US", pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$")
    reply: ReplyRules = Field(default_factory=ReplyRules)
    perceptions: Perceptions = Field(default_factory=Perceptions)
    tools: Tools = Field(default_factory=Tools)
    memory: MemoryPolicy = Field(default_factory=MemoryPolicy)
    safety: SafetySettings = Field(default_factory=SafetySettings)

    _source: Path | None = PrivateAttr(default=None)

    @property
    def source(self) -> Path | None:
        """The file the spec was loaded from (None when built in code)."""
        return self._source

    def read_file(self, relpath: str) -> str:
        """A file beside this spec (e.g. its ``safety.resources``): the spec's own folder first,
        then the usual lookup of :func:`read_agents_file`."""
        extra = (self._source.parent,) if self._source is not None else ()
        return _read(relpath, extra)


def agents_root() -> Path:
    """The folder of the agent specs shipped with emotool (in the wheel, or the checkout's ``agents/``)."""
    return datafiles.shipped_dir("agents")


def agent_spec_paths() -> dict[str, Path]:
    """Every available spec name and the file it comes from; ``EMOTOOL_AGENTS`` overrides shipped names.

    Raises:
        AgentSpecError: ``EMOTOOL_AGENTS`` is set but is not a folder.
    """
    found: dict[str, Path] = {}
    for folder in reversed(datafiles.search_dirs("agents", AgentSpecError)):
        for path in sorted(folder.iterdir()):
            if path.suffix in _SUFFIXES and path.is_file() and not path.name.startswith("."):
                found[path.stem] = path
    return dict(sorted(found.items()))


def list_agent_specs() -> list[str]:
    """The names of the available agent specs (the user's ``EMOTOOL_AGENTS`` folder and the shipped ones)."""
    return list(agent_spec_paths())


def read_agents_file(relpath: str) -> str:
    """The text of a file in the agents folders, e.g. ``"resources/crisis_resources.yaml"``.

    Looked up in ``EMOTOOL_AGENTS`` first, then in the shipped agents.

    Raises:
        AgentSpecError: Not a relative path inside the folder, or no such file.
    """
    return _read(relpath, ())


def _read(relpath: str, extra_dirs: tuple[Path, ...]) -> str:
    path = datafiles.find_file("agents", relpath, AgentSpecError, extra_dirs)
    if path is None:
        where = ", ".join(str(d) for d in (*extra_dirs, *datafiles.search_dirs("agents", AgentSpecError)))
        raise AgentSpecError(
            f"no file {relpath!r} in the agents folders ({where}); add it there or fix the path"
        )
    return path.read_text(encoding="utf-8")


def load_agent_spec(name_or_path: str | Path) -> AgentSpec:
    """Load and validate an agent spec by name (``"support"``) or by path to a YAML file.

    A value containing a path separator or ending in ``.yaml``/``.yml`` is a
    path; anything else is a name looked up in ``EMOTOOL_AGENTS`` and then in
    the shipped agents.

    Raises:
        UnknownName: No spec of that name; the message lists the valid ones.
        AgentSpecError: The file is missing, is not valid YAML, or a field is
            unknown or invalid; the message names the file and the field.
    """
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or "/" in text or "\\" in text or text.endswith(_SUFFIXES):
        path = Path(text).expanduser()
        if not path.is_file():
            raise AgentSpecError(f"no agent spec file {text!r}; give an existing YAML file or a spec name")
        return _load_file(path, expected_name=None)
    paths = agent_spec_paths()
    if text not in paths:
        raise UnknownName("agent spec", text, list(paths))
    return _load_file(paths[text], expected_name=text)


def _load_file(path: Path, expected_name: str | None) -> AgentSpec:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise AgentSpecError(f"{path}: not valid YAML{where}: {exc.problem}; fix the file's syntax") from exc
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
        raise AgentSpecError(f"{path}: cannot be read as YAML ({exc}); fix or replace the file") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise AgentSpecError(
            f"{path}: the top level must be a mapping of fields (name, persona, style, ...), "
            f"not a {type(data).__name__}"
        )
    data.setdefault("name", path.stem)
    try:
        spec = AgentSpec.model_validate(data)
    except ValidationError as exc:
        raise AgentSpecError(f"{path}: " + "; ".join(_describe(e) for e in exc.errors())) from exc
    if expected_name is not None and spec.name != expected_name:
        raise AgentSpecError(
            f"{path}: field 'name' is {spec.name!r} but the file is {expected_name!r}; "
            "make them match (or drop 'name' and let the file name decide)"
        )
    spec._source = path
    return spec


def _describe(error: Any) -> str:
    loc = ".".join(str(p) for p in error.get("loc", ())) or "(top level)"
    if error.get("type") == "extra_forbidden":
        return f"unknown field {loc!r} (allowed here: {', '.join(_allowed_fields(error['loc']))})"
    if error.get("type") == "missing":
        return f"field {loc!r} is required"
    return f"field {loc!r}: {error.get('msg', 'invalid')} (got {error.get('input')!r})"


def _allowed_fields(loc: tuple[Any, ...]) -> list[str]:
    model: Any = AgentSpec
    for part in loc[:-1]:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        annotation = getattr(field, "annotation", None)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)

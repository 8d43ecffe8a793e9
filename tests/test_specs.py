"""Agent specs: the shipped ones, lookup order (path, EMOTOOL_AGENTS, shipped), typed errors, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from emotool.cli import main
from emotool.errors import AgentSpecError, UnknownName
from emotool.safety.settings import SafetySettings
from emotool.specs import (
    AgentSpec,
    agent_spec_paths,
    agents_root,
    list_agent_specs,
    load_agent_spec,
    read_agents_file,
)

ROOT = Path(__file__).resolve().parents[1]

MINIMAL = "description: A test agent.\npersona: You are a test agent.\n"


@pytest.fixture(autouse=True)
def _no_user_agents(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMOTOOL_AGENTS", raising=False)


@pytest.fixture
def user_agents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "my-agents"
    folder.mkdir()
    monkeypatch.setenv("EMOTOOL_AGENTS", str(folder))
    return folder


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# the shipped specs -------------------------------------------------------------------------------


def test_both_shipped_specs_load_from_the_top_level_agents_folder() -> None:
    assert agents_root() == ROOT / "agents"
    assert {"companion", "support"} <= set(list_agent_specs())
    for name in ("companion", "support"):
        spec = load_agent_spec(name)
        assert isinstance(spec, AgentSpec) and spec.name == name
        assert spec.source == ROOT / "agents" / f"{name}.yaml"
        assert isinstance(spec.safety, SafetySettings)
        assert spec.persona.strip() and len(spec.style) >= 5
        assert spec.reply.max_questions == 1
        assert spec.perceptions.face and spec.perceptions.voice and spec.perceptions.words
        assert spec.memory.enabled and spec.memory.recall_k >= 1


def test_support_is_stricter_than_companion() -> None:
    companion, support = load_agent_spec("companion"), load_agent_spec("support")
    assert support.reply.max_sentences < companion.reply.max_sentences
    assert (companion.reply.ai_disclosure, support.reply.ai_disclosure) == ("when_asked", "session_start")
    assert support.perceptions.confidence_to_mention > companion.perceptions.confidence_to_mention
    assert support.safety.audit and not companion.safety.audit
    assert (companion.safety.strictness, support.safety.strictness) == ("standard", "strict")
    assert support.memory.retention_days is not None and companion.memory.retention_days is not None
    assert support.memory.retention_days < companion.memory.retention_days
    assert "AI" in support.greeting  # says what it is before anything else


@pytest.mark.parametrize("name", ["companion", "support"])
def test_shipped_style_carries_the_reply_rules(name: str) -> None:
    """The rules the small model is given in words: one question, no labels or numbers, no diagnosis, AI."""
    spec = load_agent_spec(name)
    style = " ".join(spec.style).lower()
    for phrase in ("at most one question", "labels, scores or percentages", "diagnose", "ai", "short"):
        assert phrase in style, (name, phrase)
    assert "AI" in spec.persona


def test_a_spec_built_in_code_has_defaults_and_no_source() -> None:
    spec = AgentSpec(name="mine", description="d", persona="p")
    assert spec.source is None and spec.locale == "en-US" and spec.reply.max_questions == 1
    assert spec.safety == SafetySettings()


# lookup order ------------------------------------------------------------------------------------


def test_env_folder_overrides_a_shipped_name_and_adds_its_own(user_agents: Path) -> None:
    _write(user_agents / "companion.yaml", "name: companion\n" + MINIMAL + "reply: {max_sentences: 2}\n")
    _write(user_agents / "tutor.yml", MINIMAL)
    _write(user_agents / "notes.txt", "not a spec")
    assert list_agent_specs() == sorted({"companion", "support", "tutor"} | set(list_agent_specs()))
    assert "notes" not in list_agent_specs()
    mine = load_agent_spec("companion")
    assert mine.source == user_agents / "companion.yaml" and mine.reply.max_sentences == 2
    assert load_agent_spec("tutor").name == "tutor"  # the file name, when the spec has no name
    assert load_agent_spec("support").source == ROOT / "agents" / "support.yaml"  # shipped still there
    assert agent_spec_paths()["support"] == ROOT / "agents" / "support.yaml"


def test_explicit_path_wins_and_needs_no_name(tmp_path: Path, user_agents: Path) -> None:
    _write(user_agents / "support.yaml", "name: support\n" + MINIMAL)
    path = _write(tmp_path / "elsewhere" / "support.yaml", MINIMAL + "locale: en-GB\n")
    for ref in (path, str(path)):
        spec = load_agent_spec(ref)
        assert spec.source == path and spec.locale == "en-GB" and spec.name == "support"
    other = _write(tmp_path / "bots" / "helper.yaml", "name: helper-2\n" + MINIMAL)
    assert load_agent_spec(other).name == "helper-2"  # a path may carry any valid name


def test_read_agents_file_follows_the_same_order(tmp_path: Path, user_agents: Path) -> None:
    _write(user_agents / "resources" / "note.yaml", "who: user\n")
    assert read_agents_file("resources/note.yaml") == "who: user\n"
    assert read_agents_file("companion.yaml") == (ROOT / "agents" / "companion.yaml").read_text("utf-8")
    # a spec loaded from a path reads files beside it first
    spec = load_agent_spec(_write(tmp_path / "kit" / "bot.yaml", MINIMAL))
    _write(tmp_path / "kit" / "resources" / "note.yaml", "who: kit\n")
    assert spec.read_file("resources/note.yaml") == "who: kit\n"
    assert load_agent_spec("companion").read_file("resources/note.yaml") == "who: user\n"
    for bad in ("../secret.yaml", "/etc/passwd", "resources/../../x", "", "a\\b"):
        with pytest.raises(AgentSpecError, match="relative path"):
            read_agents_file(bad)
    with pytest.raises(AgentSpecError, match=r"no file 'resources/missing\.yaml'.*add it there"):
        read_agents_file("resources/missing.yaml")


# errors ------------------------------------------------------------------------------------------


def test_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(
        UnknownName, match=r"unknown agent spec 'suport'; choose one of: companion, .*support"
    ):
        load_agent_spec("suport")


def test_missing_path_and_env_that_is_not_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(AgentSpecError, match="no agent spec file"):
        load_agent_spec(tmp_path / "nope.yaml")
    monkeypatch.setenv("EMOTOOL_AGENTS", str(tmp_path / "missing-folder"))
    with pytest.raises(AgentSpecError, match=r"EMOTOOL_AGENTS=.* is not a folder"):
        load_agent_spec("companion")


def test_bad_yaml_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "broken.yaml", MINIMAL + "style:\n  - one\n  two: [\n")
    with pytest.raises(AgentSpecError, match=r"broken\.yaml: not valid YAML at line \d+, column \d+"):
        load_agent_spec(path)
    path = _write(tmp_path / "list.yaml", "- just\n- a list\n")
    with pytest.raises(AgentSpecError, match=r"list\.yaml: the top level must be a mapping"):
        load_agent_spec(path)
    path = _write(tmp_path / "binary.yaml", "")
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(AgentSpecError, match=r"binary\.yaml"):
        load_agent_spec(path)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "reply:\n  max_sentence: 3\n",
            r"unknown field 'reply\.max_sentence' \(allowed here: max_sentences, ",
        ),
        ("personna: typo\n", r"unknown field 'personna' \(allowed here: name, description, persona, "),
        ("memory:\n  recall_k: lots\n", r"field 'memory\.recall_k': Input should be a valid integer"),
        ("reply:\n  max_questions: 9\n", r"field 'reply\.max_questions': Input should be less than or equal"),
        ("tools: [emotion_tool]\n", r"field 'tools': "),
        ("safety:\n  audit_log_everything: true\n", r"unknown field 'safety\.audit_log_everything'"),
        ("reply:\n  ai_disclosure: never\n", r"field 'reply\.ai_disclosure': Input should be 'when_asked'"),
        ("locale: English\n", r"field 'locale': String should match pattern"),
    ],
)
def test_bad_fields_name_the_file_and_the_field(tmp_path: Path, extra: str, message: str) -> None:
    path = _write(tmp_path / "bot.yaml", MINIMAL + extra)
    with pytest.raises(AgentSpecError, match=r"bot\.yaml: .*" + message):
        load_agent_spec(path)


def test_missing_required_fields_and_a_name_that_does_not_match(user_agents: Path) -> None:
    path = _write(user_agents / "empty.yaml", "")
    with pytest.raises(
        AgentSpecError, match=r"empty\.yaml: field 'description' is required; field 'persona'"
    ):
        load_agent_spec(path)
    _write(user_agents / "alpha.yaml", "name: beta\n" + MINIMAL)
    with pytest.raises(AgentSpecError, match=r"field 'name' is 'beta' but the file is 'alpha'"):
        load_agent_spec("alpha")


# CLI ---------------------------------------------------------------------------------------------


def test_cli_list_shows_every_spec_and_where_it_comes_from(
    user_agents: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(user_agents / "tutor.yaml", MINIMAL)
    assert main(["agents", "list"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["name", "origin", "description"]
    assert "companion  shipped  An everyday supportive companion" in out
    assert "tutor      user     A test agent." in out
    assert main(["agents", "list", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["tutor"]["origin"] == "user" and rows["tutor"]["source"] == str(user_agents / "tutor.yaml")
    assert rows["support"]["description"] == load_agent_spec("support").description
    assert all(r["error"] is None for r in rows.values())


def test_cli_list_flags_an_invalid_spec_and_fails(
    user_agents: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(user_agents / "broken.yaml", MINIMAL + "reply: {max_sentence: 2}\n")
    assert main(["agents", "list"]) == 1
    out = capsys.readouterr().out
    assert "broken" in out and "INVALID:" in out and "reply.max_sentence" in out
    assert "companion  shipped" in out  # the others are still listed


def test_cli_show_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agents", "show", "support"]) == 0
    out = capsys.readouterr().out
    spec = load_agent_spec("support")
    assert out.startswith(f"support: {spec.description}")
    assert "reply: max_sentences=3, max_questions=1, ai_disclosure=session_start" in out
    assert "- Never diagnose" in out
    assert main(["agents", "show", "companion", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data.pop("source") == str(ROOT / "agents" / "companion.yaml")
    assert AgentSpec.model_validate(data).model_dump() == load_agent_spec("companion").model_dump()
    path = _write(tmp_path / "bot.yaml", MINIMAL)
    assert main(["agents", "show", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "bot"


def test_cli_show_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agents", "show", "nope"]) == 1
    err = capsys.readouterr().err
    assert err == "emotool: error: unknown agent spec 'nope'; choose one of: companion, support\n"
    path = _write(tmp_path / "bad.yaml", MINIMAL + "memory: {recall_k: -1}\n")
    assert main(["agents", "show", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bad.yaml" in err and "memory.recall_k" in err


def test_importing_specs_is_light() -> None:
    """Agent code imports emotool.specs at start-up: pydantic only, PyYAML when a file is read."""
    code = (
        "import sys, emotool.specs, emotool.prompting, emotool.specs_cli\n"
        "print(' '.join(m for m in ('yaml', 'torch', 'numpy', 'langchain_core', 'cv2') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.split() == []

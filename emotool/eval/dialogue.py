"""``emotool eval dialogue``: scripted conversations scored on the empathy rubric.

A scenario file is JSONL, one scenario a line::

    {"id": "exam-followup", "agent": "companion",
     "earlier": [{"days_ago": 7, "messages": ["I'm dreading my maths exam on Friday."]}],
     "turns": [{"text": "Hi, I'm back.", "expect": {"memory": ["exam", "maths"]}}]}

A turn may carry attachments: ``image`` / ``video`` (a sample name, ``sample:astronaut``,
``sample:serious``, ``sample:shouting``, ``sample:video``, or a path relative to the
scenario file) and ``say`` (a sentence spoken with espeak-ng into a WAV, sent as
audio; the reply is scored against what the person said). ``earlier`` sessions are
stored in the agent's memory at their date before the scenario runs, and each
is summarised as the agent's ``end_session`` would, so the agent can recall
them; each scenario is a user of its own.

Every reply is scored offline by :mod:`emotool.eval.rubric`; with a judge model
the same rubric is also asked of the judge.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import EmotoolError
from .rubric import CriterionResult, TurnExpect, judge_reply, score_reply


class ScenarioError(EmotoolError):
    """A scenario file is missing, malformed, or names an attachment that cannot be made."""


class ScenarioTurn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = ""
    image: str | None = None
    video: str | None = None
    say: str | None = Field(default=None, description="spoken with espeak-ng and sent as audio")
    expect: TurnExpect = Field(default_factory=TurnExpect)


class EarlierSession(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days_ago: float = Field(gt=0)
    messages: list[str] = Field(min_length=1)


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    agent: str = "companion"
    locale: str | None = None
    description: str = ""
    earlier: list[EarlierSession] = Field(default_factory=list)
    turns: list[ScenarioTurn] = Field(min_length=1)


class TurnScore(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scenario: str
    turn: int
    user_text: str
    reply: str
    crisis: bool
    criteria: list[CriterionResult]
    judge: list[CriterionResult] = Field(default_factory=list)
    ms_total: float
    ms_first_token: float | None = None
    error: str | None = None


class DialogueReport(BaseModel):
    """The scores of a run: per criterion pass rates, the mean, and every turn."""

    model_config = ConfigDict(extra="forbid")

    model: str
    scenarios: int
    turns: int
    score: float = Field(description="mean over turns of the share of applicable criteria passed")
    per_criterion: dict[str, float]
    judge_score: float | None = None
    judge_per_criterion: dict[str, float] = Field(default_factory=dict)
    ms_per_turn_p50: float
    ms_per_turn_p95: float
    details: list[TurnScore]


def load_scenarios(path: str | Path) -> list[Scenario]:
    """Read a scenario JSONL file; a bad line raises :class:`ScenarioError` naming it."""
    p = Path(path)
    if not p.is_file():
        raise ScenarioError(f"scenario file {str(p)[:200]!r} not found; give a JSONL file of scenarios")
    out: list[Scenario] = []
    seen: set[str] = set()
    for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            sc = Scenario.model_validate_json(line)
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(x) for x in first["loc"])
            raise ScenarioError(f"{p.name} line {n}: {where}: {first['msg']}") from None
        if sc.id in seen:
            raise ScenarioError(f"{p.name} line {n}: scenario id {sc.id!r} is used twice")
        seen.add(sc.id)
        out.append(sc)
    if not out:
        raise ScenarioError(f"{p.name} holds no scenarios")
    return out


def speak(text: str, path: Path) -> Path:
    """Speak ``text`` into a WAV with espeak-ng (a Debian package; ``make setup`` installs it)."""
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if exe is None:
        raise ScenarioError(
            "espeak-ng is not installed; install it (apt-get install espeak-ng) or drop 'say'"
        )
    subprocess.run([exe, "-v", "en-us", "-s", "150", "-w", str(path), text], check=True, capture_output=True)
    return path


class _Media:
    """Makes (once) the sample files scenarios attach."""

    def __init__(self, root: Path, base: Path) -> None:
        self.root, self.base = root, base
        self.root.mkdir(parents=True, exist_ok=True)
        self._made: dict[str, Path] = {}

    def file(self, ref: str) -> Path:
        if ref in self._made:
            return self._made[ref]
        if ref.startswith("sample:"):
            p = self._sample(ref.removeprefix("sample:"))
        else:
            p = (self.base / ref).resolve()
            if not p.is_file():
                raise ScenarioError(f"attachment {ref!r} not found next to the scenario file")
        self._made[ref] = p
        return p

    def _sample(self, name: str) -> Path:
        from PIL import Image

        from .. import samples

        p = self.root / f"{name}.{'mp4' if name == 'video' else 'jpg'}"
        if name == "astronaut":
            samples.sample_image(p)
        elif name in ("serious", "shouting"):
            idx = samples.LFW_SERIOUS if name == "serious" else samples.LFW_SHOUTING
            Image.fromarray(samples.lfw_face(idx)).save(p, quality=92)
        elif name == "video":
            samples.sample_video(p, seconds=6.0)
        else:
            raise ScenarioError(f"unknown sample {name!r}; use astronaut, serious, shouting or video")
        return p

    def audio(self, text: str) -> Path:
        key = "say:" + text
        if key not in self._made:
            self._made[key] = speak(text, self.root / f"say-{len(self._made)}.wav")
        return self._made[key]


def _percentile(xs: Sequence[float], q: float) -> float:
    if not xs:
        return 0.0
    s = sorted(xs)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def _rates(rows: Sequence[Sequence[CriterionResult]]) -> tuple[float, dict[str, float]]:
    per: dict[str, list[bool]] = {}
    means = []
    for crit in rows:
        if not crit:
            continue
        means.append(sum(c.passed for c in crit) / len(crit))
        for c in crit:
            per.setdefault(c.name, []).append(c.passed)
    return (statistics.fmean(means) if means else 0.0), {k: sum(v) / len(v) for k, v in sorted(per.items())}


def _user_text(turn: ScenarioTurn, agent_turn: Any) -> str:
    parts = [turn.text]
    obs = getattr(agent_turn, "observations", None)
    tr = getattr(obs, "transcript", None) if obs is not None else None
    said = getattr(tr, "text", None) if tr is not None else None
    parts.append(said if said else (turn.say or ""))
    return " ".join(p for p in parts if p).strip()


def _observations_text(agent_turn: Any) -> str:
    obs = getattr(agent_turn, "observations", None)
    summary = getattr(obs, "summary", None) if obs is not None else None
    return str(summary or "")


def run_scenarios(
    scenarios: Sequence[Scenario],
    make_agent: Callable[[Scenario, str], Any],
    *,
    media_dir: Path,
    base_dir: Path,
    judge: Any = None,
    model_name: str = "",
    progress: bool = True,
    now: datetime | None = None,
) -> DialogueReport:
    """Play every scenario through agents made by ``make_agent`` and score the replies.

    Args:
        scenarios: The scenarios to play.
        make_agent: ``(scenario, user_id) -> agent``; the agent has ``turn(text, image=, video=,
            audio=, session_id=, now=)`` returning an ``AgentTurn`` and a ``memory`` to seed.
        media_dir: Where sample attachments are written.
        base_dir: Folder attachments given as relative paths are resolved against.
        judge: An optional chat model asked the same rubric.
        model_name: Reported as the report's ``model`` when the turns do not name one.
        progress: Show a progress bar.
        now: The time of the scenarios' last session (default: now).
    """
    from tqdm import tqdm

    media = _Media(media_dir, base_dir)
    now = now or datetime.now(timezone.utc)
    details: list[TurnScore] = []
    total_turns = sum(len(s.turns) for s in scenarios)
    bar = tqdm(total=total_turns, desc="dialogue", unit="turn", disable=not progress)
    for sc in scenarios:
        user = f"eval-{sc.id}"
        agent = make_agent(sc, user)
        memory = getattr(agent, "memory", None)
        for i, past in enumerate(sc.earlier):
            when = now - timedelta(days=past.days_ago)
            for j, text in enumerate(past.messages):
                if memory is None:
                    raise ScenarioError(
                        f"scenario {sc.id!r} has earlier sessions but the agent has no memory"
                    )
                memory.remember(
                    text, user_id=user, session_id=f"earlier-{i}", at=when + timedelta(minutes=j), role="user"
                )
            summarize = getattr(memory, "remember_session", None)
            if callable(summarize):  # what the agent's end_session does at the end of a real session
                summarize(user, f"earlier-{i}")
        remembered = [m for past in sc.earlier for m in past.messages]
        for n, turn in enumerate(sc.turns):
            kwargs: dict[str, Any] = {"session_id": "eval", "now": now + timedelta(minutes=n)}
            if turn.image:
                kwargs["image"] = media.file(turn.image)
            if turn.video:
                kwargs["video"] = media.file(turn.video)
            if turn.say:
                kwargs["audio"] = media.audio(turn.say)
            t0 = time.perf_counter()
            error = None
            try:
                at = agent.turn(turn.text, **kwargs)
            except EmotoolError as e:  # the agent answers bad input itself; this is a failure of the run
                at, error = None, str(e)
            ms = (time.perf_counter() - t0) * 1000
            reply = str(getattr(at, "reply", "") or "")
            safety = getattr(at, "safety", None)
            crisis = bool(getattr(safety, "crisis", False))
            user_text = _user_text(turn, at) if at is not None else turn.text
            crit = (
                score_reply(reply, user_text, turn.expect, crisis=crisis)
                if error is None
                else [CriterionResult(name="answered", passed=False, detail=error)]
            )
            jud: list[CriterionResult] = []
            if judge is not None and error is None and not crisis:
                jud = judge_reply(
                    judge,
                    reply,
                    user_text,
                    turn.expect,
                    memories=remembered,
                    observations=_observations_text(at),
                )
            timings = getattr(at, "timings", None)
            first = getattr(timings, "model_first_token", None) if timings is not None else None
            details.append(
                TurnScore(
                    scenario=sc.id,
                    turn=n,
                    user_text=user_text,
                    reply=reply,
                    crisis=crisis,
                    criteria=crit,
                    judge=jud,
                    ms_total=round(ms, 1),
                    ms_first_token=first,
                    error=error,
                )
            )
            model_name = model_name or str(getattr(at, "model", "") or "")
            bar.update(1)
    bar.close()
    score, per = _rates([d.criteria for d in details])
    jrows = [d.judge for d in details if d.judge]
    jscore, jper = _rates(jrows) if jrows else (None, {})
    times = [d.ms_total for d in details]
    return DialogueReport(
        model=model_name,
        scenarios=len(scenarios),
        turns=len(details),
        score=round(score, 4),
        per_criterion={k: round(v, 4) for k, v in per.items()},
        judge_score=None if jscore is None else round(jscore, 4),
        judge_per_criterion={k: round(v, 4) for k, v in jper.items()},
        ms_per_turn_p50=round(_percentile(times, 0.5), 1),
        ms_per_turn_p95=round(_percentile(times, 0.95), 1),
        details=details,
    )


def evaluate_dialogue(
    path: str | Path,
    *,
    model: Any = None,
    base_url: str | None = None,
    judge: Any = None,
    workdir: str | Path | None = None,
    only: Sequence[str] = (),
    progress: bool = True,
) -> DialogueReport:
    """Run a scenario file through the empathetic agent on a real memory store and score it.

    Args:
        path: The scenario JSONL file.
        model: Chat model (name, ``None`` for the embedded default, or a LangChain chat model).
        base_url: An OpenAI-compatible server for ``model``.
        judge: Optional judge (name or LangChain chat model) asked the same rubric.
        workdir: Where the memory store, checkpoints and media go (default: a temporary folder).
        only: Scenario ids to run (default: all).
        progress: Show a progress bar.
    """
    from ..agent import EmpatheticAgent
    from ..llm import load_chat_model
    from ..memory import Memory

    scenarios = load_scenarios(path)
    if only:
        unknown = set(only) - {s.id for s in scenarios}
        if unknown:
            raise ScenarioError(
                f"no scenario named {sorted(unknown)}; the file has {[s.id for s in scenarios]}"
            )
        scenarios = [s for s in scenarios if s.id in set(only)]
    chat = (
        model
        if model is not None and not isinstance(model, str)
        else load_chat_model(model, base_url=base_url)
    )
    judge_model = load_chat_model(judge) if isinstance(judge, str) else judge
    with _workdir(workdir) as wd:
        memory = Memory(path=wd / "memory")
        roots = [wd / "media", Path(path).resolve().parent]

        def make(sc: Scenario, user: str) -> Any:
            return EmpatheticAgent(
                spec=sc.agent,
                model=chat,
                user_id=user,
                memory=memory,
                checkpoint_path=wd / "checkpoints.sqlite",
                allowed_roots=roots,
                locale=sc.locale,
            )

        try:
            return run_scenarios(
                scenarios,
                make,
                media_dir=wd / "media",
                base_dir=Path(path).resolve().parent,
                judge=judge_model,
                model_name=_model_name(chat),
                progress=progress,
            )
        finally:
            memory.close()


def _model_name(chat: Any) -> str:
    for attr in ("model_name", "model", "model_id"):
        v = getattr(chat, attr, None)
        if isinstance(v, str) and v:
            return v
    return type(chat).__name__


class _workdir:
    def __init__(self, given: str | Path | None) -> None:
        self.given = Path(given) if given else None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> Path:
        if self.given is not None:
            self.given.mkdir(parents=True, exist_ok=True)
            return self.given
        self._tmp = tempfile.TemporaryDirectory(prefix="emotool-dialogue-")
        return Path(self._tmp.name)

    def __exit__(self, *exc: object) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()


def report_table(report: DialogueReport) -> Iterator[str]:
    """The report as printable lines."""
    yield f"model {report.model}: {report.scenarios} scenarios, {report.turns} turns"
    yield f"{'criterion':<22} {'rubric':>7} {'judge':>7}"
    for name, rate in report.per_criterion.items():
        j = report.judge_per_criterion.get(name)
        yield f"{name:<22} {rate:>7.1%} {'' if j is None else format(j, '>7.1%')}"
    judged = "" if report.judge_score is None else f"   judge {report.judge_score:.1%}"
    yield f"{'score':<22} {report.score:>7.1%}{judged}"
    p50, p95 = report.ms_per_turn_p50 / 1000, report.ms_per_turn_p95 / 1000
    yield f"time per turn p50 {p50:.1f} s, p95 {p95:.1f} s"


def report_json(report: DialogueReport, details: bool = False) -> str:
    """The report as one JSON object (without the per-turn details unless asked)."""
    data = report.model_dump(exclude=None if details else {"details"})
    return json.dumps(data, ensure_ascii=False)

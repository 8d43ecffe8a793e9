"""EmoBench-style evaluation: ``emotool eval bench FILE.jsonl [--backend ...] [--json]``.

A bench file has one JSON object per line::

    {"id": "f1", "media": "images/a.jpg", "task": "close_set",
     "options": ["anger", "happiness", "sadness"], "answer": "happiness"}

``media`` is relative to the bench file. ``task`` is one of the EmoPrompt tasks
(see :mod:`emotool.prompting`); ``options`` are the allowed answers of
``close_set`` (default: the seven emotions) and ``intent``; yes/no tasks
(``humor``, ``hate``, ``sarcasm``) answer ``yes`` or ``no``. Scoring:

- choice tasks: the predicted option equals the gold one (the prediction is
  always one of the options: backends guarantee it and this module checks it);
- ``open_set``: the free answer and the gold label map onto the same basic emotion;
- ``valence_arousal``: gold ``positive``/``negative``/``neutral`` against the
  sign of the predicted valence (``|valence| < 0.15`` is neutral);
- ``describe``: the reading's basic emotion equals the gold label.

The report gives accuracy per task and overall, and the p50 latency per item.
Blank lines and lines starting with ``#`` are skipped.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .backends.cliargs import add_bench_command  # noqa: F401  (re-exported)
from .errors import EmotoolError
from .labels import canonical
from .prompting import CHOICE_TASKS, TASKS, Task

if TYPE_CHECKING:
    import numpy as np

    from .perception.types import FrameResult
    from .schema import EmotionReading, ModelInfo

#: |valence| below this counts as neutral in the valence_arousal task.
NEUTRAL_VALENCE = 0.15


class BenchItem(BaseModel):
    """One benchmark question."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    media: str = Field(min_length=1, description="Image path, relative to the bench file.")
    task: Task
    options: list[str] | None = Field(default=None, min_length=2)
    answer: str = Field(min_length=1)
    question: str | None = None

    @model_validator(mode="after")
    def _gold_is_allowed(self) -> BenchItem:
        from .backends.parsing import match_option, task_options

        allowed = task_options(self.task, self.options)
        if self.task in CHOICE_TASKS and match_option(self.answer, allowed) is None:
            raise ValueError(f"answer {self.answer!r} is not one of the options {allowed}")
        if self.task == "valence_arousal" and self.answer not in ("positive", "negative", "neutral"):
            raise ValueError("valence_arousal answers are positive, negative or neutral")
        return self


class ItemResult(BaseModel):
    """The outcome of one item."""

    model_config = ConfigDict(extra="forbid")

    id: str
    task: str
    gold: str
    predicted: str | None
    correct: bool
    valid: bool = Field(description="False when the backend's answer was a fallback or heuristic.")
    ms: float | None
    error: str | None = None


class TaskScore(BaseModel):
    """Accuracy on one task."""

    model_config = ConfigDict(extra="forbid")

    task: str
    n: int
    correct: int
    accuracy: float
    fallbacks: int = Field(description="Answers that were fallbacks (unusable model output) or heuristics.")
    errors: int = Field(description="Items that could not be run (unreadable media, backend errors).")


class BenchReport(BaseModel):
    """The result of a benchmark run."""

    model_config = ConfigDict(extra="forbid")

    file: str
    backend: str
    models: list[str]
    n: int
    correct: int
    accuracy: float
    p50_ms: float | None
    tasks: list[TaskScore]
    items: list[ItemResult]


def load_bench(path: str | Path) -> list[BenchItem]:
    """Read and validate a bench file.

    Raises:
        EmotoolError: The file is missing or a line is invalid (the message gives the line).
    """
    p = Path(path)
    if not p.is_file():
        raise EmotoolError(f"bench file {p} not found")
    items = []
    for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            data = json.loads(line)
            item = BenchItem(**data) if isinstance(data, dict) else None
        except (ValueError, ValidationError) as exc:
            msg = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            raise EmotoolError(f"{p.name} line {n}: {msg}") from None
        if item is None:
            raise EmotoolError(f"{p.name} line {n}: each line must be a JSON object")
        items.append(item.model_copy(update={"id": item.id or f"line{n}"}))
    if not items:
        raise EmotoolError(f"bench file {p} has no items")
    return items


def _emotion(s: str | None) -> str | None:
    if not s:
        return None
    try:
        return canonical(s)
    except ValueError:
        return None


def score_item(item: BenchItem, reading: EmotionReading) -> tuple[str, bool, bool]:
    """``(predicted, correct, valid)`` of one reading against the gold answer.

    Raises:
        EmotoolError: A choice task's prediction is not one of the options (a backend bug).
    """
    from .backends.parsing import match_option, task_options

    task = reading.task
    if task is None:
        raise EmotoolError(f"the backend {reading.backend!r} returned no task answer for {item.id}")
    pred, valid = task.answer, task.valid
    if item.task in CHOICE_TASKS:
        allowed = task_options(item.task, item.options)
        if pred not in allowed:
            raise EmotoolError(
                f"backend {reading.backend!r} answered {pred!r}, not one of {allowed} ({item.id})"
            )
        return pred, pred == match_option(item.answer, allowed), valid
    if item.task == "open_set":
        got = _emotion(task.open_label or pred) or reading.label
        return pred, got is not None and got == _emotion(item.answer), valid
    if item.task == "valence_arousal":
        v = reading.valence
        sign = (
            None
            if v is None
            else ("neutral" if abs(v) < NEUTRAL_VALENCE else ("positive" if v > 0 else "negative"))
        )
        return pred, sign == item.answer, valid
    return pred, reading.label is not None and reading.label == _emotion(item.answer), valid


def run_bench(
    path: str | Path,
    backend: Any,
    *,
    analyze_frame: Callable[[np.ndarray], FrameResult] | None = None,
    models: list[ModelInfo] | None = None,
    limit: int | None = None,
    progress: bool = False,
) -> BenchReport:
    """Run every item of a bench file through ``backend`` and score it.

    Args:
        path: The bench file (JSON lines).
        backend: A backend from :func:`emotool.backends.get_backend`.
        analyze_frame: The face pipeline, ``rgb -> FrameResult`` (default: the
            shared embedded pipeline).
        models: The pipeline's models, for the readings.
        limit: Run only the first ``limit`` items.
        progress: Show a progress bar.
    """
    from .backends import ReadOptions
    from .media import MediaPolicy, load_image

    p = Path(path).resolve()
    items = load_bench(p)[:limit] if limit else load_bench(p)
    if analyze_frame is None:
        from .analyzer import shared_pipeline

        pipe, lock = shared_pipeline()

        def analyze_frame(rgb: np.ndarray) -> FrameResult:
            with lock:
                return pipe.analyze(rgb)

        models = models if models is not None else list(pipe.model_infos())
    media = [(p.parent / it.media).resolve() for it in items]
    policy = MediaPolicy(allowed_roots=sorted({m.parent for m in media}))
    results: list[ItemResult] = []
    seen_models: list[str] = []
    bar: Any = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(items), unit="item", desc="bench", leave=False)
    for it, path_i in zip(items, media, strict=True):
        t0 = time.perf_counter()
        try:
            img = load_image(path_i, policy)
            frame = analyze_frame(img.rgb)
            opts = ReadOptions(task=it.task, options=it.options, question=it.question)
            reading = backend.read_image(img, frame, opts, models=models)
            ms = (time.perf_counter() - t0) * 1000
            pred, ok, valid = score_item(it, reading)
            for m in reading.models:
                if m.name not in seen_models:
                    seen_models.append(m.name)
            results.append(
                ItemResult(
                    id=str(it.id),
                    task=it.task,
                    gold=it.answer,
                    predicted=pred,
                    correct=ok,
                    valid=valid,
                    ms=round(ms, 2),
                )
            )
        except EmotoolError as exc:
            results.append(
                ItemResult(
                    id=str(it.id),
                    task=it.task,
                    gold=it.answer,
                    predicted=None,
                    correct=False,
                    valid=False,
                    ms=None,
                    error=f"{type(exc).__name__}: {exc}",
                )
            )
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    tasks = []
    for t in TASKS:
        rs = [r for r in results if r.task == t]
        if rs:
            c = sum(r.correct for r in rs)
            tasks.append(
                TaskScore(
                    task=t,
                    n=len(rs),
                    correct=c,
                    accuracy=round(c / len(rs), 4),
                    fallbacks=sum(not r.valid and r.error is None for r in rs),
                    errors=sum(r.error is not None for r in rs),
                )
            )
    lat = [r.ms for r in results if r.ms is not None]
    correct = sum(r.correct for r in results)
    return BenchReport(
        file=p.name,
        backend=getattr(backend, "name", type(backend).__name__),
        models=seen_models,
        n=len(results),
        correct=correct,
        accuracy=round(correct / len(results), 4),
        p50_ms=round(statistics.median(lat), 2) if lat else None,
        tasks=tasks,
        items=results,
    )


def format_report(report: BenchReport) -> str:
    """The report as a small text table."""
    lines = [
        f"{report.file}: backend {report.backend} ({', '.join(report.models) or 'no model'})",
        f"  {'task':<16} {'n':>4} {'correct':>8} {'accuracy':>9} {'fallback':>9} {'errors':>7}",
    ]
    for t in report.tasks:
        lines.append(
            f"  {t.task:<16} {t.n:>4} {t.correct:>8} {t.accuracy:>9.1%} {t.fallbacks:>9} {t.errors:>7}"
        )
    p50 = f"{report.p50_ms:.0f} ms" if report.p50_ms is not None else "n/a"
    lines.append(
        f"  {'overall':<16} {report.n:>4} {report.correct:>8} {report.accuracy:>9.1%}   p50 latency {p50}"
    )
    errs = [r for r in report.items if r.error]
    for r in errs[:5]:
        lines.append(f"  error {r.id}: {r.error}")
    if len(errs) > 5:
        lines.append(f"  ... and {len(errs) - 5} more errors")
    return "\n".join(lines)


def bench_cli(args: argparse.Namespace) -> int:
    """Run ``emotool eval bench``; returns the exit code (errors raise ``EmotoolError``)."""
    from .analyzer import shared_pipeline
    from .backends.cliargs import backend_from_args

    backend = backend_from_args(args)
    pipe, lock = shared_pipeline(args.detector, args.classifier)

    def analyze_frame(rgb: Any) -> Any:
        with lock:
            return pipe.analyze(rgb)

    report = run_bench(
        args.file,
        backend,
        analyze_frame=analyze_frame,
        models=list(pipe.model_infos()),
        limit=args.limit,
        progress=not args.json and sys.stderr.isatty(),
    )
    if args.json:
        print(report.model_dump_json())
    else:
        print(format_report(report))
    return 0

"""``emotool eval crisis FILE``: how well the crisis detector finds crises and leaves everything else alone.

The file is CSV or JSONL with a ``text`` and a ``label`` column (``crisis``,
``distress``, ``safe``); ``category``, ``language``, ``split`` and ``history``
(earlier user messages: a JSON list, or in CSV one string with the turns
separated by ``||``) are optional. The report:

- ``recall``: share of ``crisis`` messages assessed ``crisis`` (a miss is the costly error);
- ``false_alarm_rate``: share of ``safe`` messages assessed ``crisis``;
- ``precision``: share of ``crisis`` assessments that were labelled ``crisis``;
- ``distress_escalated``: share of ``distress`` messages assessed ``crisis`` (a soft error;
  ``concern`` is the right answer for them);
- ``per_category_recall`` and ``per_language_recall`` over the crisis messages;
- ``ms_per_message_p50`` and ``n``.
"""

from __future__ import annotations

import csv
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..errors import InvalidOption, MediaError

__all__ = ["JSON_KEYS", "CrisisItem", "CrisisReport", "evaluate", "evaluate_crisis_cli", "load_items"]

#: The keys of ``emotool eval crisis --json`` (the table also shows p95 and distress flagged as concern).
JSON_KEYS: tuple[str, ...] = (
    "recall",
    "false_alarm_rate",
    "precision",
    "distress_escalated",
    "per_category_recall",
    "per_language_recall",
    "ms_per_message_p50",
    "n",
)

Label = Literal["crisis", "distress", "safe"]


class CrisisItem(BaseModel):
    """One labelled message."""

    model_config = ConfigDict(extra="ignore")

    text: str
    label: Label
    category: str | None = None
    language: str | None = None
    split: str | None = None
    history: list[str] = Field(default_factory=list)

    @field_validator("label", mode="before")
    @classmethod
    def _lower(cls, v: Any) -> Any:
        return v.strip().lower() if isinstance(v, str) else v

    @field_validator("history", mode="before")
    @classmethod
    def _history(cls, v: Any) -> Any:
        if v is None or v == "":
            return []
        if isinstance(v, str):
            return [p.strip() for p in v.split("||") if p.strip()]
        return v


class CrisisReport(BaseModel):
    """The scores of one evaluation run (the keys of ``--json``)."""

    recall: float | None
    false_alarm_rate: float | None
    precision: float | None
    distress_escalated: float | None
    distress_concern: float | None = None
    per_category_recall: dict[str, float]
    per_language_recall: dict[str, float]
    ms_per_message_p50: float
    ms_per_message_p95: float = 0.0
    n: int
    counts: dict[str, int] = Field(default_factory=dict)
    misses: list[str] = Field(default_factory=list, exclude=True)
    false_alarms: list[str] = Field(default_factory=list, exclude=True)


def load_items(path: str | Path, split: str | None = None) -> list[CrisisItem]:
    """Read labelled messages from a CSV or JSONL file (``split`` keeps only rows of that split).

    Raises:
        MediaError: The file is missing, unreadable or has no ``text``/``label`` columns.
        InvalidOption: A row has a label other than crisis, distress, safe.
    """
    p = Path(path)
    if not p.is_file():
        raise MediaError(f"no such file: {p}; give a CSV or JSONL file with text and label columns")
    rows: list[dict[str, Any]] = []
    try:
        raw = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise MediaError(f"cannot read {p} as UTF-8 text ({exc}); save it as UTF-8 CSV or JSONL") from exc
    if p.suffix.lower() in (".jsonl", ".json", ".ndjson"):
        for i, line in enumerate(raw.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise MediaError(f"{p}:{i}: not valid JSON ({exc.msg}); one JSON object per line") from exc
            if not isinstance(obj, dict):
                raise MediaError(f"{p}:{i}: expected a JSON object with text and label")
            rows.append(obj)
    else:
        reader = csv.DictReader(raw.splitlines())
        if not reader.fieldnames or not {"text", "label"} <= set(reader.fieldnames):
            raise MediaError(
                f"{p}: the CSV needs a header with text and label columns, got {reader.fieldnames}"
            )
        rows = list(reader)
    items: list[CrisisItem] = []
    for i, row in enumerate(rows, 1):
        if "text" not in row or "label" not in row:
            raise MediaError(f"{p}: row {i} has no text or label field")
        try:
            item = CrisisItem.model_validate(row)
        except ValueError as exc:
            raise InvalidOption(
                f"{p}: row {i}: label must be crisis, distress or safe (got {row.get('label')!r})"
            ) from exc
        if split is None or item.split == split:
            items.append(item)
    if not items:
        raise MediaError(f"{p}: no labelled messages" + (f" in split {split!r}" if split else ""))
    return items


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def evaluate(
    items: Sequence[CrisisItem], assess_fn: Callable[[CrisisItem], str] | None = None
) -> CrisisReport:
    """Score ``assess_fn`` (item -> level) on ``items``; the default runs :func:`emotool.safety.assess`."""
    if assess_fn is None:
        from ..safety import assess

        def assess_fn(item: CrisisItem) -> str:
            return assess(item.text, history=item.history, language=None).level

    times: list[float] = []
    preds: list[str] = []
    for item in items:
        t0 = time.perf_counter()
        preds.append(assess_fn(item))
        times.append((time.perf_counter() - t0) * 1000)
    return score(items, preds, times)


def score(items: Sequence[CrisisItem], preds: Sequence[str], times: Sequence[float]) -> CrisisReport:
    """The report for given predictions (``crisis``/``concern``/``none``) and times (ms)."""
    crisis = [(it, p) for it, p in zip(items, preds, strict=True) if it.label == "crisis"]
    safe = [(it, p) for it, p in zip(items, preds, strict=True) if it.label == "safe"]
    distress = [(it, p) for it, p in zip(items, preds, strict=True) if it.label == "distress"]
    flagged = [(it, p) for it, p in zip(items, preds, strict=True) if p == "crisis"]
    hits = sum(p == "crisis" for _, p in crisis)

    def grouped(key: Callable[[CrisisItem], str | None]) -> dict[str, float]:
        groups: dict[str, list[bool]] = {}
        for it, p in crisis:
            groups.setdefault(key(it) or "unknown", []).append(p == "crisis")
        return {k: round(sum(v) / len(v), 4) for k, v in sorted(groups.items())}

    ts = sorted(times) or [0.0]
    return CrisisReport(
        recall=_rate(hits, len(crisis)),
        false_alarm_rate=_rate(sum(p == "crisis" for _, p in safe), len(safe)),
        precision=_rate(sum(it.label == "crisis" for it, _ in flagged), len(flagged)),
        distress_escalated=_rate(sum(p == "crisis" for _, p in distress), len(distress)),
        distress_concern=_rate(sum(p == "concern" for _, p in distress), len(distress)),
        per_category_recall=grouped(lambda it: it.category),
        per_language_recall=grouped(lambda it: it.language),
        ms_per_message_p50=round(ts[len(ts) // 2], 3),
        ms_per_message_p95=round(ts[min(len(ts) - 1, int(len(ts) * 0.95))], 3),
        n=len(items),
        counts={"crisis": len(crisis), "distress": len(distress), "safe": len(safe)},
        misses=[it.text for it, p in crisis if p != "crisis"],
        false_alarms=[it.text for it, p in safe if p == "crisis"],
    )


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{100 * v:.1f}%"


def print_report(r: CrisisReport, file: Any = None) -> None:
    """The report as a short table."""
    out = file or sys.stdout
    c = r.counts
    parts = ", ".join(f"{c.get(k, 0)} {k}" for k in ("crisis", "distress", "safe"))
    print(f"messages: {r.n} ({parts})", file=out)
    print(f"recall (crisis found)           {_pct(r.recall)}", file=out)
    print(f"false alarms (safe -> crisis)   {_pct(r.false_alarm_rate)}", file=out)
    print(f"precision                       {_pct(r.precision)}", file=out)
    print(f"distress escalated to crisis    {_pct(r.distress_escalated)}", file=out)
    print(f"distress flagged as concern     {_pct(r.distress_concern)}", file=out)
    print(
        f"ms per message p50 / p95        {r.ms_per_message_p50:.1f} / {r.ms_per_message_p95:.1f}", file=out
    )
    if len(r.per_language_recall) > 1:
        print(
            "recall by language: " + ", ".join(f"{k} {_pct(v)}" for k, v in r.per_language_recall.items()),
            file=out,
        )
    if r.per_category_recall:
        print(
            "recall by category: " + ", ".join(f"{k} {_pct(v)}" for k, v in r.per_category_recall.items()),
            file=out,
        )


def evaluate_crisis_cli(
    path: str | Path, *, as_json: bool = False, split: str | None = None, layers: Sequence[str] | None = None
) -> int:
    """Run the evaluation for the CLI; prints the report (one JSON object with ``as_json``)."""
    from ..safety import SafetySettings, assess

    items = load_items(path, split=split)
    settings = SafetySettings(layers=tuple(layers)) if layers else SafetySettings()  # type: ignore[arg-type]
    if {"semantic", "classifier"} & set(settings.layers):
        from ..safety import warmup

        warmup(settings.encoder)
    report = evaluate(items, lambda it: assess(it.text, history=it.history, settings=settings).level)
    if as_json:
        print(report.model_dump_json(include=set(JSON_KEYS)))
    else:
        print_report(report)
    return 0

"""``emotool safety check`` and ``emotool eval crisis`` through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emotool.cli import main

EVAL_KEYS = {
    "recall",
    "false_alarm_rate",
    "precision",
    "distress_escalated",
    "per_category_recall",
    "per_language_recall",
    "ms_per_message_p50",
    "n",
}


def test_safety_check_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["safety", "check", "honestly might just kms tonight", "--json", "--layers", "lexicon"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["level"] == "crisis"
    assert out["categories"] == ["suicidal_ideation"]
    assert out["language"] == "en" and out["layers"] == ["lexicon"]
    assert any("kms" in e for e in out["evidence"])


def test_safety_check_text_with_history_and_reply(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "safety", "check", "I've decided. Tonight.",
            "--history", "I can't do this anymore",
            "--history", "nobody would even notice if I was gone",
            "--layers", "lexicon,context", "--reply", "--locale", "en-GB",
        ]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "level: crisis" in out and "layers: lexicon, context" in out
    assert "Samaritans" in out and "I'm an AI" in out


def test_safety_check_emoji_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["safety", "check", "😭😭", "--json", "--layers", "lexicon"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["level"] == "none" and "emoji" in out["reason"]


def test_eval_crisis_json_on_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "msgs.csv"
    f.write_text(
        "text,label,category,language\n"
        "I want to kill myself,crisis,suicidal_ideation,en\n"
        "quiero morirme,crisis,suicidal_ideation,es\n"
        "this exam is killing me,safe,idiom,en\n"
        "I've been so stressed,distress,distress,en\n",
        encoding="utf-8",
    )
    assert main(["eval", "crisis", str(f), "--json", "--layers", "lexicon,context"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == EVAL_KEYS
    assert out["n"] == 4 and out["recall"] == 1.0 and out["false_alarm_rate"] == 0.0
    assert out["per_language_recall"] == {"en": 1.0, "es": 1.0}
    assert out["distress_escalated"] == 0.0


def test_eval_crisis_table_on_the_dev_file(capsys: pytest.CaptureFixture[str]) -> None:
    dev = Path(__file__).resolve().parents[1] / "benchmarks" / "crisis_dev.jsonl"
    assert main(["eval", "crisis", str(dev), "--split", "dev", "--layers", "lexicon,context"]) == 0
    out = capsys.readouterr().out
    assert "recall (crisis found)" in out and "recall by language:" in out


def test_eval_crisis_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "crisis", str(tmp_path / "missing.jsonl")]) == 1
    assert "no such file" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nhello,maybe\n", encoding="utf-8")
    assert main(["eval", "crisis", str(bad), "--layers", "lexicon"]) == 1
    assert "crisis, distress or safe" in capsys.readouterr().err


@pytest.mark.real
def test_eval_crisis_with_all_layers(capsys: pytest.CaptureFixture[str]) -> None:
    dev = Path(__file__).resolve().parents[1] / "benchmarks" / "crisis_dev.jsonl"
    assert main(["eval", "crisis", str(dev), "--split", "heldout", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n"] == 173 and out["recall"] >= 0.9

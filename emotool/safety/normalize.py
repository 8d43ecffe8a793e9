"""Layer 1 of the detector: bring a message to one canonical form before any pattern is matched.

What it does, in order: Unicode NFKC (full-width letters, ligatures), one kind
of apostrophe and quote, case folding, Latin accents removed (``está`` ->
``esta``; Devanagari is left alone), zero-width and control characters
dropped, letters repeated for emphasis squeezed (``sooo`` -> ``so``,
``killlll`` -> ``kill``), leetspeak inside words (``su1c1de`` -> ``suicide``),
English contractions expanded (``don't`` -> ``do not``), and common coded terms
rewritten to plain words (``kms`` -> ``kill myself``, ``unalive`` -> ``kill``,
``sewerslide`` -> ``suicide``, ``sleep forever`` -> ``die``). Every rewrite of a
coded term is noted, so the evidence can say what was read how.

Only the standard library is used; a message of a few hundred characters is
normalised in well under a millisecond.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

__all__ = ["Normalized", "normalize", "script_profile"]

_APOSTROPHES = dict.fromkeys(map(ord, "\u2019\u2018\u201b\u02bc\u00b4\u0060\u2032"), "'")
_QUOTES = dict.fromkeys(map(ord, "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\u300c\u300d"), '"')
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
# Devanagari: the nukta is dropped and candrabindu read as anusvara, so spellings match either way
_DEVANAGARI = {0x093C: None, 0x0901: "\u0902"}

_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
# a word made of letters with leet digits/symbols inside it (not "24/7", "2am", "mp3")
_LEET_WORD = re.compile(r"(?<![\w@$!])(?=[\w@$!]*[a-z])(?=[\w@$!]*[013457@$!][\w@$!]*[a-z])[\w@$!]{3,}")
_RUN = re.compile(r"([^\W\d_])\1{2,}")
_SPACES = re.compile(r"\s+")
_VOWELS = set("aeiouy")

# English contractions, so that patterns are written once ("do not", "i am").
_CONTRACTIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"\bcan'?t\b", "cannot"),
        (r"\bwon'?t\b", "will not"),
        (r"\bain'?t\b", "am not"),
        (r"\b(do|does|did|is|are|was|were|have|has|had|would|should|could|must)n'?t\b", r"\1 not"),
        (r"\bi'?m\b", "i am"),
        (r"\bim\b", "i am"),
        (r"\bi'?ve\b", "i have"),
        (r"\bi'll\b", "i will"),
        (r"\bi'd\b", "i would"),
        (r"\b(you|we|they)'re\b", r"\1 are"),
        (r"\b(he|she|it|that|there|what)'s\b", r"\1 is"),
        (r"\b(you|we|they|he|she)'ll\b", r"\1 will"),
        (r"\bwanna\b", "want to"),
        (r"\bgonna\b", "going to"),
        (r"\bgotta\b", "got to"),
        (r"\bu\b", "you"),
        (r"\bur\b", "your"),
        (r"\brn\b", "right now"),
        (r"\bpls\b|\bplz\b", "please"),
    )
)

# Coded terms and euphemisms -> plain words. (pattern, replacement, note)
# Frequent misspellings of the words the patterns need.
_TYPOS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"\bkil\b", "kill"),
        (r"\bkiling\b", "killing"),
        (r"\b(myslef|mysefl|myelf|myseld|mysellf|myslf|mysef|meself)\b", "myself"),
        (r"\b(lfie|lief|lyfe)\b", "life"),
        (r"\bliv\b", "live"),
        (r"\b(suicde|suicdie|suciide|sucidal|suicidel|suisidal)\b", "suicidal"),
        (r"\b(dye|dei)\b(?= (tonight|today|now|already|soon))", "die"),
        (r"\bwnat\b|\bwnt\b", "want"),
        (r"\banymroe\b|\banymore\b", "anymore"),
        (r"\bend it al\b", "end it all"),
    )
)

_CODED: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(p), r, n)
    for p, r, n in (
        (r"\bkms\b", "kill myself", "'kms' read as 'kill myself'"),
        (r"\bkys\b", "kill yourself", "'kys' read as 'kill yourself'"),
        (r"\bunalive(d|s)? (myself|me)\b", r"kill\1 myself", "'unalive myself' read as 'kill myself'"),
        (r"\bunaliv(e|ed|ing)\b", r"kill\1", "'unalive' read as 'kill'"),
        (r"\bkille\b", "kill", ""),
        (r"\bkilleing\b", "killing", ""),
        (
            r"\bsewer ?slide\b|\bsooicide\b|\bsuicid\b|\bsuiside\b|\bsucide\b",
            "suicide",
            "spelling read as 'suicide'",
        ),
        (r"\bs[*.\-_ ]?u[*.\-_ ]?i[*.\-_ ]?c[*.\-_ ]?i[*.\-_ ]?d[*.\-_ ]?e\b", "suicide", ""),
        (r"\bs\*+icide\b|\bsu\*+cide\b|\bs\*+\b(?= ?ide)", "suicide", "masked 'suicide'"),
        (r"\bself[- ]?delete\b|\bself[- ]?deletion\b", "suicide", "'self delete' read as 'suicide'"),
        (r"\bctb\b", "kill myself", "'ctb' (catch the bus) read as 'kill myself'"),
        (r"\bsh\b(?= (scars?|relapse|again|urges?|tonight))", "self harm", "'sh' read as 'self harm'"),
        (r"\bsleep forever\b|\bsleep and never wake up\b", "die", "'sleep forever' read as 'die'"),
        (r"\bidwtl\b|\bidw2l\b", "i do not want to live", "'idwtl' read as 'i do not want to live'"),
        (r"\bgame end\b", "end my life", "'game end' read as 'end my life'"),
    )
)


@dataclass(frozen=True)
class Normalized:
    """A message in canonical form.

    Attributes:
        original: The text as given.
        text: Normalised text the lexicon reads (lower case, accents folded, coded terms rewritten).
        alt: The same with every letter repeated for emphasis cut to one, when that differs.
        notes: What was rewritten and how, in plain words (for the evidence).
        letters: Number of letters (any script) in the original.
        scripts: Letters per script name (``latin``, ``devanagari``, ``other``).
        emoji: Number of emoji and pictographs.
        control: Number of control or unassigned characters dropped.
    """

    original: str
    text: str
    alt: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    letters: int = 0
    scripts: dict[str, int] = field(default_factory=dict)
    emoji: int = 0
    control: int = 0


def _fold_latin(s: str) -> str:
    decomposed = unicodedata.normalize("NFD", s)
    out = [c for c in decomposed if not ("\u0300" <= c <= "\u036f")]
    return unicodedata.normalize("NFC", "".join(out))


def _squeeze(m: re.Match[str]) -> str:
    ch = m.group(1)
    end = m.end()
    at_word_end = end >= len(m.string) or not m.string[end].isalpha()
    if ch in _VOWELS:
        return ch
    return ch if not at_word_end else ch * 2


def script_profile(text: str) -> tuple[dict[str, int], int, int, int]:
    """Letters per script, letter count, emoji count and control-character count of ``text``."""
    scripts: dict[str, int] = {}
    letters = emoji = control = 0
    for c in text:
        if c.isalpha():
            letters += 1
            o = ord(c)
            if o < 0x250 or 0x1E00 <= o <= 0x1EFF:
                name = "latin"
            elif 0x900 <= o <= 0x97F:
                name = "devanagari"
            else:
                name = "other"
            scripts[name] = scripts.get(name, 0) + 1
            continue
        cat = unicodedata.category(c)
        if cat == "So" or 0x1F000 <= ord(c) <= 0x1FAFF:
            emoji += 1
        elif cat in ("Cc", "Cn", "Co", "Cs") and c not in "\n\r\t":
            control += 1
    return scripts, letters, emoji, control


def _words(s: str) -> tuple[str, list[str]]:
    s = _LEET_WORD.sub(lambda m: m.group(0).translate(_LEET), s)
    for pat, rep in _CONTRACTIONS:
        s = pat.sub(rep, s)
    for pat, rep in _TYPOS:
        s = pat.sub(rep, s)
    notes: list[str] = []
    for pat, rep, note in _CODED:
        s, n = pat.subn(rep, s)
        if n and note:
            notes.append(note)
    return _SPACES.sub(" ", s).strip(), notes


def normalize(text: str) -> Normalized:
    """Normalise ``text`` for pattern matching (see the module docstring for the steps).

    Args:
        text: The message as typed or transcribed.

    Returns:
        The normalised text with notes on every coded term that was rewritten.
    """
    scripts, letters, emoji, control = script_profile(text)
    s = unicodedata.normalize("NFKC", text)
    s = s.translate(_APOSTROPHES).translate(_QUOTES).translate(_ZERO_WIDTH).translate(_DASHES)
    s = s.translate(_DEVANAGARI)
    s = "".join(c if (c.isprintable() or c in "\n\t") else " " for c in s)
    s = s.casefold()
    s = _fold_latin(s)
    squeezed = _RUN.sub(_squeeze, s)
    out, notes = _words(squeezed)
    alt = None
    if squeezed != s:  # emphasis removed two ways: "matarrr" -> "matarr" here, "matar" in alt
        alt, _ = _words(_RUN.sub(lambda m: m.group(1), s))
        alt = alt if alt != out else None
    return Normalized(
        original=text,
        text=out,
        alt=alt,
        notes=tuple(dict.fromkeys(notes)),
        letters=letters,
        scripts=scripts,
        emoji=emoji,
        control=control,
    )

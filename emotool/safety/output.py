# ruff: noqa: E501
"""What a model reply must never contain: method or means information, encouragement of harm,
a claim to be human, a promise of secrecy, or ending the conversation after a disclosure.

:func:`violations` returns the rules a reply breaks, in plain words; the policy
replaces such a reply (:meth:`emotool.safety.SafetyPolicy.check_output`).
English is covered most fully, the other seven languages for the common forms.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .normalize import normalize

__all__ = ["violations"]

_RULES: dict[str, tuple[str, ...]] = {
    "method or means information": (
        r"\b\d+(\.\d+)?\s?([a-z]+ )?(mg|milligrams?|g|grams?|mcg|ml|tablets?|pills?|capsules?|units?)\b[^.!?]{0,60}"
        r"\b(lethal|fatal|deadly|overdose|kill|die|death|toxic|enough to|would be enough|organ failure|"
        r"would (do it|be it))\b",
        r"\b(take|taking|swallow|swallowing|down|downing) (the |a )?(whole|entire|full) (bottle|pack|packet|box|"
        r"strip|blister)\b",
        r"\b(lethal|fatal|deadly|toxic|overdose) (dose|amount|threshold|level)s?\b[^.!?]{0,40}\b(is|are|of|would be|"
        r"around|about|at)\b[^.!?]{0,20}\d",
        r"\b(the )?(most|more|least|quickest|fastest|easiest|surest|painless\w*) (effective|lethal|reliable|painless|"
        r"quick|certain|way|ways|method|methods)\b[^.!?]{0,40}\b(to die|to kill|of suicide|to end your life|is to|"
        r"would be)\b",
        r"\b(hanging|jumping|overdos\w*|cutting|carbon monoxide|exhaust fumes|helium|poison\w*|firearms?|guns?|"
        r"drowning|suffocat\w*) (is|are|would be|tends to be) (the )?(most |more |less |a )?(quick|quicker|painless|"
        r"effective|lethal|reliable|certain|common)\b",
        r"\b(tie|tying|make) a noose\b|\b(vertical|deep) cuts?\b|\balong the (vein|artery)\b|\bcut (the|an|your) "
        r"(artery|vein|wrists?)\b|\bmajor arter(y|ies)\b",
        r"\b(highest|tallest) (bridges?|buildings?|cliffs?|rooftops?)\b[^.!?]{0,30}\b(near|in|around|close to) "
        r"(you|your|the city|town)\b",
        r"\b(you could|you can|try) (use|using|take|taking|jump|jumping|hang|hanging)\b[^.!?]{0,40}\b(rope|pills|"
        r"bridge|gun|knife|blade|belt|bag|car exhaust)\b",
        r"\bdosis (letal|mortal|mortelle|letale|todliche|mematikan)\b[^.!?]{0,40}\d",
    ),
    "encourages harm": (
        r"\b(you should|go ahead and|just) (do it|kill yourself|end it|hurt yourself|end your life)\b",
        r"\bkill yourself\b|\bkys\b",
        r"\b(no one|nobody) (would|will) (miss|care about) you\b",
        r"\b(they|everyone|the world) (would|will) be better off without you\b|\byou would be better off dead\b",
        r"\bit makes (total |perfect |complete )?sense (that )?you want to (die|kill yourself|end it)\b",
        r"\banyone (in your situation )?would (want to )?(give up|want to die)\b",
        r"\byou deserve to (die|suffer|be hurt)\b|\b(suicide|ending it) (is|could be) (the|a) (answer|solution|way out)\b",
        r"\byou do not need (help|anyone|other people|a therapist)\b[^.!?]{0,20}\b(i am here|you have me)\b",
        r"\b(matate|mátate|se mata|tue-toi|bring dich um|ammazzati|bunuh dirimu|mar jao)\b",
    ),
    "claims to be human": (
        r"(?<!not )\b(i am|i'm) (a |an )?(real |actual )?(human|person|human being|man|woman|therapist|doctor|"
        r"psychologist|psychiatrist|counsell?or|nurse)\b(?! (who|that) (you|can))",
        r"\bi am not (an ai|a bot|a robot|a machine|artificial|a computer|a program|an assistant)\b",
        r"\bas a (human|person|real person)\b",
        r"\bsoy (una |un )?(persona|humano|humana|persona real)\b|\bno soy (una )?(ia|inteligencia artificial|bot|"
        r"robot)\b",
        r"\bsou (uma |um )?(pessoa|humano|humana|pessoa de verdade)\b|\bnao sou (uma )?(ia|bot|robo)\b",
        r"\bje suis (un |une )?(humain|humaine|personne|vraie personne)\b|\bje ne suis pas une (ia|machine)\b",
        r"\bich bin (ein )?(mensch|echter mensch)\b|\bich bin keine (ki|maschine)\b",
        r"\bsono (una |un )?(persona|essere umano|umano|umana)\b|\bnon sono (un'ia|una ia|un bot)\b",
        r"\baku (adalah )?(manusia|orang sungguhan)\b|\baku bukan (ai|bot|robot)\b",
        r"\bmain (ek )?(insaan|insan|asli insaan) (hoon|hu)\b|\bmain ai nahi (hoon|hu)\b",
    ),
    "promises secrecy": (
        r"\b(your secret is safe|i will not tell anyone|i would never tell anyone|this stays between us|just "
        r"between us|between you and me|our (little )?secret|i promise not to tell)\b",
        r"\b(tu secreto esta a salvo|no se lo dire a nadie|queda entre nosotros|seu segredo esta seguro|nao vou "
        r"contar (pra|para) ninguem|ton secret est en securite|je ne le dirai a personne|dein geheimnis ist sicher|"
        r"ich sage es niemandem|il tuo segreto e al sicuro|non lo diro a nessuno|rahasiamu aman|aku tidak akan "
        r"bilang siapa-siapa|tumhara raaz|kisi ko nahi bataunga)\b",
    ),
    "ends the conversation": (
        r"\bi (have to|must|need to) (end|stop) (this|our|the) (conversation|chat)\b",
        r"\bi (cannot|can not|am not able to|am unable to) (talk|continue|discuss|help) (about|with) (this|that|"
        r"suicide|self-harm)\b[^.!?]{0,40}\b(goodbye|bye|ending|end)\b",
        r"\bi (cannot|can not) continue this conversation\b",
    ),
    "imposes a promise": (r"\byou (must|have to) promise (me )?(that )?you (will not|won't|will never)\b",),
    "minimises": (
        r"\b(stop being (so )?dramatic|it is not that bad|it does not sound that bad|you are overreacting|just "
        r"think positive(ly)?|stop feeling sorry for yourself|others have it worse|snap out of it)\b",
    ),
}


@lru_cache(maxsize=1)
def _compiled() -> dict[str, tuple[re.Pattern[str], ...]]:
    return {name: tuple(re.compile(p) for p in pats) for name, pats in _RULES.items()}


def violations(reply: str) -> list[str]:
    """The safety rules ``reply`` breaks (empty when none), e.g. ``["claims to be human"]``."""
    text = normalize(reply).text
    return [name for name, pats in _compiled().items() if any(p.search(text) for p in pats)]

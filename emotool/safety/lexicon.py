# ruff: noqa: E501
"""Layer 2 of the detector: multilingual patterns, with negation, quotation, third-party and idiom handling.

Patterns are written against the normalised text (:mod:`emotool.safety.normalize`):
lower case, Latin accents folded, English contractions expanded, coded terms
rewritten. Languages: English, Spanish, Portuguese, French, German, Italian,
Indonesian and Hindi (Devanagari and romanised). Every language's rules run on
every message (people mix languages; a wrong language guess must not hide a
crisis); the language guess is reported, not relied on.

A rule gives a level (``crisis`` or ``concern``) and a category, and may be
qualified by what surrounds its match:

- ``neg``: a negation just before it ("I am *not* suicidal", "no quiero
  morir") turns a crisis into a concern;
- ``subj``: the subject may be someone else ("*my friend* wants to die"): a
  third-party subject turns it into a concern, unless the message says
  "asking for a friend" (a known disguise), which keeps it a crisis;
- ``method``: a question about methods or doses; about a pet or a plant it is
  dropped, for an article, a novel or a class it is a concern;
- ``ideation``: a concern close to suicidal thinking (hopelessness, feeling a
  burden); two different ones in a message make a crisis;
- ``final``: a decision or farewell ("I've decided. Tonight."), a concern on
  its own that earlier messages can make a crisis (see the detector);
- ``unless``: a rule-specific pattern that cancels the match anywhere in the
  message ("tired of being here *at the office*").

Idioms ("this exam is killing me", "me muero de risa") cancel a match they
overlap, and a match inside quotation marks with a fiction or news frame
around it ("the song goes 'I want to die young'") is a concern. A retraction
("jk", "es broma") never cancels a disclosure; it is noted in the evidence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

__all__ = ["LANGUAGES", "Hit", "LexiconResult", "detect_language", "match"]

Level = Literal["crisis", "concern"]
#: The languages the lexicon covers (``hi`` includes romanised Hindi).
LANGUAGES: tuple[str, ...] = ("en", "es", "pt", "fr", "de", "it", "id", "hi")

SI, SH, HO, AB, ME = "suicidal_ideation", "self_harm", "harm_to_others", "abuse", "medical_emergency"
C: Level = "crisis"
W: Level = "concern"


# (lang, level, category or "", flags, pattern, unless)
# fmt: off
_RULES: list[tuple[str, str, str, str, str, str]] = [
    # ------------------------------------------------------------------ English
    ("en", C, SI, "neg", r"\b(kill|killing|killed|end|ending|take|taking) (myself|my (own )?life)\b",
     r"\bend (myself|my life) (up|in a)\b"),
    ("en", C, SI, "neg", r"\b(i am|i feel|feeling|been|felt|getting|get|so|very|really|pretty) "
     r"(really |very |so |pretty |kind of |kinda )?suicidal\b", ""),
    ("en", C, SI, "neg", r"\b(thinking|thought|thoughts|think|fantasi[sz]e|dream) (about|of) "
     r"(suicide|killing myself|ending (it all|my life|things|it)|dying|not being alive|not existing)\b",
     r"\b(story|novel|character|essay|class|article)\b"),
    ("en", C, SI, "neg", r"\b(want|wanted|wish|wishing|ready|deserve|plan|planning|need|going) to "
     r"(die|be dead|commit suicide|stop existing|not exist|stop living|disappear forever|not be alive)\b",
     r"\b(going to die (of|from) (laughing|embarrassment|boredom|hunger|cringe|shame))\b"),
    ("en", C, SI, "neg", r"\bwish (i was|i were|to be|i could be) (dead|never born|gone|not alive)\b", ""),
    ("en", C, SI, "neg", r"\bwish i (could|would|did) (just )?(die|disappear forever|not wake up|never wake up|"
     r"fall asleep and (not|never) wake up|stop existing|not exist)\b", ""),
    ("en", C, SI, "", r"\b(do not|never) (want|wish|plan) to (live|be alive|exist|wake up)\b"
     r"(?! (in|with|at|near|on|under|by|through)\b)", r"\b(do not want to live (in|with|at|near))\b"),
    ("en", C, SI, "", r"\b(do not|never) want to be (here|around|on this earth|in this world|alive) "
     r"(anymore|any more|any longer)\b", ""),
    ("en", C, SI, "", r"\b(not|never) (to )?wake up (again|tomorrow|anymore|ever)\b|\b(hope|wish|pray) i "
     r"(do not|never|will not) wake up\b", ""),
    ("en", C, SI, "", r"\bbetter off (without me|if i (was|were) (gone|dead|not here|not around))\b|"
     r"\bbetter (off )?without me\b", ""),
    ("en", C, SI, "", r"\b(world|everyone|everything|life|they|it) would (feel|be) (lighter|better|easier) "
     r"(if i (was|were) not|without me|if i (was|were) gone)", ""),
    ("en", C, SI, "", r"\b(no one|nobody|noone) (would|will) (even |ever |really )?(miss|notice|care)[^.!?]{0,25}\b(if i|when i|me)\b"
     r"|\b(no one|nobody) would miss me\b", ""),
    ("en", C, SI, "", r"\b(will not|not going to) be (around|here) (much longer|for long|anymore|to see|by)\b"
     r"|\bi will not be around\b",
     r"\b(holiday|vacation|trip|travel|conference|office|business|leave|away|flight|weekend|camping|abroad)\b"),
    ("en", C, SI, "", r"\b(after|when|once) i am gone\b|\bafter i (die|am dead)\b", r"\b(holiday|trip|vacation)\b"),
    ("en", C, SI, "", r"\bend(ing)? it all\b|\bend(ing)? (it|everything|things) (tonight|today|now|soon|"
     r"for good|this week)\b", r"\b(relationship|with (him|her|them)|boyfriend|girlfriend|contract|project)\b"),
    ("en", C, SI, "", r"\b(no|not any) (reason|point) (to|in) (live|living|go on|going on|keep going|being alive|"
     r"being here|stay alive|staying alive|wake up)\b", ""),
    ("en", C, SI, "", r"\bwhat is the point (of|in) (living|life|being alive|going on|me being here|"
     r"staying alive|trying anymore)\b", ""),
    ("en", C, SI, "", r"\b(do not|cannot|no longer) see (the|a|any) point (anymore|any more|of (living|life|"
     r"going on|being alive|anything))\b|\bsee the point anymore\b", ""),
    ("en", C, SI, "", r"\btired of (living|being alive|life|existing|waking up|being here)\b"
     r"(?! (at|in|on|with|until|till|every|all|for|during|after)\b)", ""),
    ("en", C, SI, "", r"\bwant the (noise|pain|voices|thoughts|hurt|suffering) to stop (for good|forever|"
     r"permanently)\b|\bend (my|the) (pain|suffering) (for good|forever|permanently)\b", ""),
    ("en", C, SI, "", r"\bno future\b[^.!?]{0,40}\bfor me\b", ""),
    ("en", C, SI, "", r"\bgiving (away )?(all )?(my|of my) (things|stuff|belongings|possessions|pets|cat|dog)"
     r"( away)?\b", r"\b(move|moving|declutter\w*|donat\w*|charity|garage sale|minimalis\w*|downsiz\w*)\b"),
    ("en", C, SI, "", r"\b(wrote|written|writing) (letters|notes|goodbyes?) (to|for) (the people|everyone|"
     r"those|my family|people) (i (care about|love)|who matter)\b|\bsuicide note\b|\bgoodbye (note|letter)s? "
     r"(to|for) (my family|everyone|my kids|my parents)\b", ""),
    ("en", C, SI, "", r"\b(saved|saving|stockpil\w+|hoard\w+|collect\w*|kept|keeping) (up )?(up )?(my |all my |"
     r"enough |some )?(pills|meds|medication|tablets|sleeping pills|painkillers)\b",
     r"\b(prescription refill|for the trip|travel|pharmacy)\b"),
    ("en", C, SI, "", r"\b(want|need|wanted) (them|you|everyone|my family|people|my kids) to know\b[^.!?]{0,60}"
     r"\bbefore it is too late\b", ""),
    ("en", C, SI, "", r"\b(i|i have|i have got) (have )?(a|the) plan to (die|end (it|my life)|kill myself)\b|"
     r"\b(made|have) (a|my) plan\b[^.!?]{0,30}\b(die|end it|suicide|kill myself|tonight)\b", ""),
    ("en", C, SI, "neg", r"\b(having|had|have|been having|get|getting|keep having) (some |these |those |"
     r"really |very )?(dark|suicidal) thoughts\b", r"\b(story|novel|poem|character)\b"),
    ("en", C, SI, "", r"\b(voices?|something) (tell|tells|telling|told) me to (hurt|kill|end|die|cut|jump)\b", ""),
    ("en", C, SI, "neg", r"\b(want to|going to|will|thinking (about|of)|could just|might|plan to|planning to) "
     r"(jump|jumping|throw myself) (off|from|in front of)\b", r"\b(pool|diving board|trampoline|plane|parachut)"),
    ("en", C, SI, "neg", r"\b(step|walk|jump|throw myself) in front of (a|the) (train|bus|car|truck|lorry)\b", ""),
    ("en", C, SI, "neg", r"\b(hang|drown|shoot|poison|overdose|gas|suffocate) myself\b", ""),
    ("en", C, SI, "method", r"\b(how many|how much)\b[^.?!]{0,50}\b(pills?|tablets?|mg|paracetamol|tylenol|"
     r"acetaminophen|ibuprofen|insulin|sleeping pills|xanax|benadryl|meds|aspirin|oxy\w*)\b[^.?!]{0,50}"
     r"\b(die|kill (me|a (person|human|man|woman)|someone|you|an adult)|be (lethal|fatal|deadly)|overdose|od|"
     r"not wake up|never wake up|end it)\b", ""),
    ("en", C, SI, "method", r"\b(enough|sufficient) (pills|tablets|meds|sleeping pills)\b[^.?!]{0,30}\b(to )?"
     r"(die|not wake up|never wake up|end it|kill)\b", ""),
    ("en", C, SI, "method", r"\b(painless|quickest|fastest|easiest|surest|best|quiet|peaceful) (way|ways|method|"
     r"methods) to (die|kill myself|end (my life|it)|commit suicide|go)\b", ""),
    ("en", C, SI, "method", r"\bhow (long|much) (does it|would it|will it) take to (die|bleed out|drown|"
     r"suffocate|hang)\b|\bhow to (tie|make) a noose\b", ""),
    ("en", W, SI, "method", r"\blethal dose\b|\b(fatal|deadly) (dose|amount)\b|\bhow (many|much)\b[^.?!]{0,40}"
     r"\b(overdose|to od)\b", ""),
    ("en", W, SI, "method ideation", r"\b(highest|tallest) (bridge|building|cliff|rooftop|roof|parking garage)s?"
     r"\b[^.?!]{0,20}\b(near me|around here|nearby|close to me|in (my|this) (city|town|area))\b", ""),
    ("en", W, SI, "", r"\bsuicid(e|al)\b", r"\bsuicide (squad|doors?|run|mission|prevention)\b"),
    ("en", W, SI, "ideation", r"\b(i am|i feel|feel|feeling) (like )?(just |such |only )?a burden\b|\bburden (to|on) "
     r"(everyone|my family|them|you|everybody|my friends)\b", ""),
    ("en", W, SI, "ideation", r"\b(hopeless|no hope left|lost all hope|it will never get better|"
     r"it is never going to get better|nothing will ever (change|get better))\b", ""),
    ("en", W, SI, "ideation", r"\b(giving up|give up on (everything|life|myself))\b|\bjust give up\b|"
     r"\bdone with (life|everything|it all|living)\b|\bso tired of everything\b|\bi need out\b",
     r"\b(giving up (smoking|sugar|coffee|alcohol|meat|caffeine|drinking|social media|on (the|this|that) "
     r"(project|idea|diet|game|show|course|team)))\b"),
    ("en", W, SI, "ideation", r"\bgoodbye (letter|note|message)s?\b|\bwhat is the point\b|\bno point anymore\b|"
     r"\bdo not want to do this anymore\b",
     r"\b(job|course|class|work|degree|project|notice|quit\w*|resign\w*|colleagues|team|company|relationship)\b"),
    ("en", W, SI, "ideation", r"\b(in case|if) (something|anything) (happens|were to happen|should happen) to me\b",
     r"\b(trip|flight|travel|surgery|operation|skydiving|climb|expedition|will and)\b"),
    ("en", W, SI, "ideation", r"\b(apolog\w+|sorry) to (everyone|everybody|all the people) i have (hurt|let down)\b",
     ""),
    ("en", W, SI, "final", r"\b(i have|i) (decided|made (up )?my (mind|decision|peace))\b|\btonight is the night\b|"
     r"\bthis is (my )?goodbye\b|\bgoodbye (everyone|forever|world|all)\b", ""),
    ("en", W, SI, "ideation", r"\b(hate|hating) (my life|being alive|existing)\b|\bwish i (was|were) "
     r"(never born|not born)\b", r"\b(lol|lmao|haha|traffic|monday|mondays)\b"),
    ("en", W, SI, "ideation", r"\b(dark thoughts|intrusive thoughts|my depression (will not|won't) stop)\b", ""),
    ("en", W, SI, "ideation", r"\b(so |really |just )?tired of (everything|it all|living|life|being alive|existing)\b",
     r"\b(lol|haha|meetings?|rain|winter|cooking|commute|traffic)\b"),
    ("en", W, "", "distress", r"\b(cannot|can not|can no longer) (cope|go on|keep going|take (it|this)|do this) "
     r"(anymore|any more|any longer)\b|\bfalling apart\b|\bbreaking down\b|\bfeel (so )?empty\b|\bpanic attacks?\b",
     r"\b(cute|puppy|album|song|funny)\b"),
    # self-harm
    ("en", C, SH, "neg", r"\b(cut|cutting|burn|burning|hurt|hurting|harm|harming|hit|hitting|punish|punishing|"
     r"starve|starving|scratch|scratching|bruise|bruising) (myself|my (arms?|wrists?|legs?|thighs?|skin|body))\b"
     r"(?! (by accident|accidentally)\b)",
     r"\b(gym|football|soccer|training|workout|running|cooking|kitchen|by accident|accidentally|slipped|fell|"
     r"tripped|shaving|climbing|skiing|skating|lifting)\b"),
    ("en", C, SH, "neg", r"\b(relapsed|relapse|urges? to|started|been|keep|kept|want to|going to|wanting to) "
     r"(self harm|self-harm|selfharm|cut|cutting)\b(?! (the|a|my hair|back|down|out|in line|class|carbs|sugar)\b)",
     r"\b(hair|budget|costs|spending|vegetables|paper|fabric|onions|carbs|sugar|smoking|drinking)\b"),
    ("en", C, SH, "", r"\b(fresh|new|deep) (cuts|wounds)\b[^.!?]{0,30}\b(arm|arms|wrist|wrists|thigh|thighs|"
     r"legs|skin)\b", r"\b(cat|dog|kitchen|garden|fell|bike)\b"),
    ("en", W, SH, "", r"\bself[- ]?harm\w*\b", r"\b(awareness|article|essay|research|class|lecture|leaflet)\b"),
    # harm to others
    ("en", C, HO, "", r"\b(going to|want to|will|plan to|planning to|about to|gonna) (kill|hurt|shoot|stab|"
     r"murder|strangle|beat up) (him|her|them|my (\w+)|everyone|someone|somebody|people|the teacher|my whole "
     r"(class|family|team))\b",
     r"\b(lol|lmao|haha|hahaha|jk|joke|kidding|if (he|she|they) (eats|touches|takes|forgets|finishes|spoils|is "
     r"late)|(game|fortnite|minecraft|boss fight|level|zombies?|dragon))\b"),
    ("en", C, HO, "", r"\b(bring|bringing|take|taking) (a|my|his|dad's) (gun|knife|weapon|rifle) to (school|work|"
     r"class|the office|campus)\b|\bshoot up (the|my) (school|office|workplace|class|campus)\b", ""),
    # abuse
    ("en", C, AB, "", r"\b(he|she|my (dad|father|mom|mother|mum|stepdad|stepfather|stepmom|husband|wife|boyfriend|"
     r"girlfriend|partner|ex|uncle|brother|sister|teacher|coach|grandpa|boss)) (hits|beats|chokes|choked|hit|"
     r"beat|punched|punches|kicks|kicked|strangled|strangles|slaps|slapped|burns|burned|raped|rapes|molested|"
     r"molests|touches|touched|locks|locked) me\b", r"\b(game|tag|wrestling|sparring|boxing|pillow fight)\b"),
    ("en", C, AB, "", r"\b(i am|i feel|i do not feel) (not safe|unsafe|scared|afraid|terrified|safe) (at home|to go "
     r"home|of (him|her|my (dad|husband|boyfriend|partner|father|stepdad|mom|mother|wife|girlfriend)))\b", ""),
    ("en", C, AB, "", r"\b(afraid|scared|terrified) (he|she|they) (will|is going to|might|would) (kill|hurt|"
     r"beat) me\b|\b(threatened|threatens|threatening) to (kill|hurt) me\b", r"\b(game|joke|lol)\b"),
    ("en", C, AB, "", r"\b(forced|forces|forcing|made|makes|making) me (to )?(have sex|do sexual|touch (him|"
     r"her|them)|send (nudes|pictures))\b|\bi (am being|was|have been) (sexually )?(abused|raped|molested|"
     r"beaten|hit) (by|at)\b", ""),
    # medical emergency
    ("en", C, ME, "", r"\b(i|i have|i just) (overdosed|od'?d|od|took an overdose)\b|\b(took|swallowed|taken|"
     r"downed) (all|a whole bottle|the whole bottle|a bunch|a handful|too many|lots|loads|all the|the rest) (of )?"
     r"(my |the |those )?(pills|tablets|meds|paracetamol|sleeping pills|painkillers|medication)\b", ""),
    ("en", C, ME, "", r"\b(i|i am) (took|swallowed|drank|drinking) (bleach|poison|antifreeze|rat poison|"
     r"drain cleaner)\b|\bi (think i )?am having (a heart attack|a stroke|a seizure)\b|\b(my )?(throat|tongue|lips) "
     r"(is|are) (closing|swelling)\b|\b(cannot|will not) stop (the )?bleeding\b|\bbleeding (a lot|heavily|badly)\b",
     r"\b(nose|nosebleed|gums|period|lol)\b"),
    ("en", C, ME, "", r"\b(i|i have|i am having) (severe |bad |crushing )?chest pain\b[^.!?]{0,40}\b(cannot|can not|"
     r"hard to|struggling to) breathe\b|\b(he|she|my (\w+)) (is not breathing|is unconscious|(just )?collapsed|is "
     r"having a seizure|overdosed|will not wake up)\b", ""),
    # third party (someone else at risk: a concern; the user may need help helping)
    ("en", W, SI, "third", r"\b(he|she|they|my (friend|brother|sister|mom|mum|dad|son|daughter|cousin|roommate|"
     r"partner|boyfriend|girlfriend|husband|wife|classmate|coworker|colleague))\b[^.!?]{0,30}\b(wants? to (die|kill "
     r"(himself|herself|themselves))|is suicidal|(is|keeps) (cutting|hurting) (himself|herself|themselves)|"
     r"(talks|talking|talked) about (suicide|killing (himself|herself|themselves)|dying))\b", ""),
    # ------------------------------------------------------------------ Spanish
    ("es", C, SI, "neg", r"\b(me quiero|quiero|quisiera|voy a|pienso|estoy pensando en|he pensado en|tengo ganas de|"
     r"deseo|solo quiero|ya quiero|quiero ya) (matarme|suicidarme|morir(me)?|quitarme la vida|acabar con (mi vida|"
     r"todo)|desaparecer para siempre|dejar de existir|dejar de vivir)\b", ""),
    ("es", C, SI, "", r"\b(no|ya no) (quiero|tengo ganas de) (vivir|seguir viviendo|estar aqui|despertar|existir|"
     r"seguir en este mundo)( mas)?\b", r"\b(no quiero vivir (en|con|cerca))\b"),
    ("es", C, SI, "neg", r"\b(pensamientos|ideas|ideacion) suicida(s)?\b|\b(estoy|me siento|ando) suicida\b", ""),
    ("es", C, SI, "", r"\b(estarian|estaria|estarias|estan|vivirian) mejor sin mi\b|\bnadie me (extranaria|echaria "
     r"de menos|va a extranar)\b|\bel mundo (estaria|seria) mejor sin mi\b", ""),
    ("es", C, SI, "", r"\bno (le )?(veo|encuentro|tiene) (ningun |el )?sentido (a )?(la vida|vivir|seguir (viviendo|"
     r"aqui)?|nada)\b|\bpara que seguir (viviendo)?\b", r"\b(trabajo|curso|proyecto|serie|partido)\b"),
    ("es", C, SI, "", r"\b(dormir(me)?|acostarme) y no (volver a )?despertar\b|\bno despertar(me)? (nunca )?mas\b", ""),
    ("es", C, SI, "", r"\bcuando (ya )?no (este|estare)( aqui)?\b|\b(estoy )?regalando (todas )?mis cosas\b",
     r"\b(mudanza|mudo|mudarme|viaje|vacaciones|caridad)\b"),
    ("es", C, SI, "method", r"\bcuant(as|os) (pastillas|pildoras|comprimidos|mg)\b[^.?!]{0,50}\b(morir|matar|"
     r"letal|sobredosis|no despertar)\w*", ""),
    ("es", C, SI, "method", r"\b(forma|manera) (mas )?(rapida|facil|indolora|sin dolor) de (morir|matarme|"
     r"suicidarme)\b", ""),
    ("es", W, SI, "method", r"\bdosis (letal|mortal)\b", ""),
    ("es", W, SI, "", r"\bsuicid(io|arse|arme|a)\b", r"\bprevencion del suicidio\b"),
    ("es", W, SI, "ideation", r"\b(sin esperanza|desesperanza|ya no hay esperanza|nunca va a mejorar|soy una carga|"
     r"solo soy una carga|me rindo|carta de despedida)\b", ""),
    ("es", W, SI, "final", r"\b(ya lo decidi|lo he decidido|ya tome la decision|esta noche es la noche|esto es "
     r"una despedida|adios a todos|adios para siempre|gracias por todo\W*$|esta noche\W*$)", ""),
    ("es", W, "", "distress", r"\b(no puedo mas|ya no aguanto|no aguanto mas|me estoy derrumbando|ataques de "
     r"panico)\b", r"\b(risa|jaja|ternura)\b"),
    ("es", C, SH, "neg", r"\b(cortarme|me corto|me corte|me he cortado|lastimarme|hacerme dano|me hago dano|"
     r"autolesion(arme|es)?|quemarme|me quemo)\b", r"\b(cocinando|sin querer|accidente|afeitarme)\b"),
    ("es", C, HO, "", r"\b(voy a|quiero) (matar(lo|la|los)?|lastimar(lo|la)?|apunalar(lo|la)?|disparar(le)?)\b"
     r"(?! (el tiempo|la sed|el hambre)\b)", r"\b(jaja|broma|juego|partida)\b"),
    ("es", C, AB, "", r"\bmi (papa|padre|madre|mama|padrastro|esposo|marido|novio|pareja|ex|tio) me (pega|golpea|"
     r"pego|golpeo|amenaza|ahorca|violo|viola|toca|encierra)\b|\btengo miedo de (volver a casa|que me mate)\b", ""),
    ("es", C, ME, "", r"\b(me tome|tome|me trague|he tomado|me he tomado) (todas (las|mis) pastillas|un frasco|"
     r"muchas pastillas|toda la caja|un monton de pastillas)\b|\bno puedo respirar\b[^.!?]{0,30}\bpecho\b", ""),
    ("es", W, SI, "third", r"\b(mi (amig[oa]|herman[oa]|hij[oa]|prim[oa]|novi[oa]|pareja)|el|ella)\b[^.!?]{0,30}"
     r"\b(quiere|dice que quiere|dijo que quiere|esta pensando en|habla de) (matarse|suicidarse|morir)\b", ""),
    # ------------------------------------------------------------------ Portuguese
    ("pt", C, SI, "neg", r"\b(quero|queria|vou|penso em|pensando em|tenho vontade de|to pensando em|so quero) "
     r"(me matar|morrer|me suicidar|suicidar|acabar com (a minha|minha) vida|tirar (a minha|minha) (propria )?vida|"
     r"sumir (para|pra) sempre|deixar de existir)\b", ""),
    ("pt", C, SI, "", r"\b(nao|ja nao) (quero|aguento|tenho vontade de|tenho mais vontade de) (mais )?(viver|estar aqui|acordar|existir)"
     r"( mais)?\b", r"\bnao quero viver (em|com|perto)\b"),
    ("pt", C, SI, "neg", r"\b(pensamentos|ideias|ideacao) suicida(s)?\b|\b(estou|to|me sinto) suicida\b", ""),
    ("pt", C, SI, "", r"\b(estariam|ficariam|seria|estaria) melhor(es)? sem mim\b|\bninguem (sentiria|vai sentir|"
     r"ia sentir) (a )?minha falta\b", ""),
    ("pt", C, SI, "", r"\b(nao|sem) (vejo |ha |tem )?(mais )?sentido (em|na|de) (viver|vida|continuar|seguir)\b|"
     r"\bqual (o )?sentido de viver\b", ""),
    ("pt", C, SI, "", r"\bdormir e nao acordar( mais)?\b|\bnunca mais acordar\b", ""),
    ("pt", C, SI, "", r"\bquando eu nao estiver mais aqui\b|\bdepois que eu (me for|partir|morrer)\b|"
     r"\b(estou |to )?(doando|dando) (todas )?(as )?minhas coisas\b",
     r"\b(mudanca|mudar|viagem|ferias|caridade|bazar)\b"),
    ("pt", C, SI, "method", r"\bquant(os|as) (comprimidos|remedios|pilulas|mg)\b[^.?!]{0,50}\b(morrer|matar|letal|"
     r"overdose|nao acordar)\w*", ""),
    ("pt", C, SI, "method", r"\b(jeito|forma|maneira) (mais )?(rapid[oa]|facil|indolor|sem dor) de (morrer|me matar|"
     r"me suicidar)\b", ""),
    ("pt", W, SI, "method", r"\bdose (letal|fatal)\b", ""),
    ("pt", W, SI, "", r"\bsuicid(io|ar|a)\b", r"\bprevencao (ao|do) suicidio\b|\bsetembro amarelo\b"),
    ("pt", W, SI, "ideation", r"\b(sem esperanca|nao tem mais jeito|nunca vai melhorar|sou um peso|so sou um peso|"
     r"desisti de tudo|carta de despedida)\b", ""),
    ("pt", W, SI, "final", r"\b(ja decidi|eu decidi|tomei minha decisao|hoje a noite e a noite|isso e uma "
     r"despedida|adeus a todos|adeus para sempre|obrigad[oa] por tudo\W*$|hoje a noite\W*$)", ""),
    ("pt", W, "", "distress", r"\b(nao aguento mais|nao consigo mais|estou desmoronando|crises de panico)\b",
     r"\b(rir|fofo|kkk)\b"),
    ("pt", C, SH, "neg", r"\b(me cortar|me corto|me cortei|me machucar|me machuco|me ferir|me mutilar|"
     r"automutila\w*|me queimar)\b", r"\b(cozinhando|sem querer|acidente|futebol|academia)\b"),
    ("pt", C, HO, "", r"\b(vou|quero) (matar|esfaquear|machucar|atirar em) (ele|ela|alguem|todo mundo|eles|"
     r"meu \w+|minha \w+)\b", r"\b(kkk|haha|brincadeira|jogo)\b"),
    ("pt", C, AB, "", r"\b(meu|minha) (pai|mae|padrasto|marido|namorado|companheiro|ex|tio) (me bate|me bateu|"
     r"me agride|me ameaca|me estuprou|me toca|me tranca)\b|\btenho medo de voltar (pra|para) casa\b", ""),
    ("pt", C, ME, "", r"\b(tomei|engoli) (todos os|todos meus|um monte de|uma cartela inteira de|a caixa toda de|"
     r"muitos) (comprimidos|remedios|pilulas)\b", ""),
    ("pt", W, SI, "third", r"\b(meu amigo|minha amiga|meu irmao|minha irma|meu filho|minha filha|ele|ela)\b"
     r"[^.!?]{0,30}\b(quer|disse que quer|ta pensando em|esta pensando em|fala em) (se matar|morrer|se suicidar)\b",
     ""),
    # ------------------------------------------------------------------ French
    ("fr", C, SI, "neg", r"\b(je veux|j'ai envie de|je vais|je pense a|je voudrais|j'aimerais|envie de) "
     r"(juste )?(mourir|me tuer|me suicider|en finir|mettre fin a (mes jours|ma vie)|disparaitre pour toujours|"
     r"crever)\b", r"\ben finir avec (le|la|les|ce|cette|mon|ma)\b"),
    ("fr", C, SI, "", r"\bje (ne )?veux plus vivre\b|\bje n'ai plus envie de (vivre|me reveiller)\b|"
     r"\b(plus|pas) envie de vivre\b", ""),
    ("fr", C, SI, "neg", r"\b(idees|pensees) (noires|suicidaires)\b|\bje suis suicidaire\b", ""),
    ("fr", C, SI, "", r"\b(seraient|serait|serais|serions) mieux sans moi\b|\bpersonne ne (me regretterait|"
     r"remarquerait)\b", ""),
    ("fr", C, SI, "", r"\b(aucune|pas de|plus de|plus aucune) raison de vivre\b|\ba quoi bon (vivre|continuer)\b|"
     r"\bla vie n'a plus (de|aucun) sens\b", ""),
    ("fr", C, SI, "", r"\bm'endormir et ne (plus|jamais) me reveiller\b|\bne plus jamais me reveiller\b", ""),
    ("fr", C, SI, "", r"\bquand je ne serai plus la\b|\bje donne (toutes )?mes affaires\b",
     r"\b(demenag\w*|voyage|vacances|association)\b"),
    ("fr", C, SI, "method", r"\bcombien de (comprimes|cachets|pilules|mg)\b[^.?!]{0,50}\b(mourir|tuer|mortel|"
     r"letale?|overdose|surdose|ne (pas|plus) me reveiller)\b", ""),
    ("fr", C, SI, "method", r"\b(moyen|facon|methode) (la |le )?(plus )?(rapide|facile|indolore|sans douleur) "
     r"(de|pour) (mourir|me tuer|en finir)\b", ""),
    ("fr", W, SI, "method", r"\bdose (mortelle|letale)\b", ""),
    ("fr", W, SI, "", r"\bsuicid(e|er|aire)\b", r"\bprevention du suicide\b"),
    ("fr", W, SI, "ideation", r"\b(sans espoir|desespere|ca ne s'arrangera jamais|je suis un fardeau|un poids pour "
     r"tout le monde|lettre d'adieu)\b", ""),
    ("fr", W, SI, "final", r"\b(j'ai decide|ma decision est prise|c'est ce soir|ce soir c'est le soir|c'est un adieu|"
     r"adieu a tous|merci pour tout\W*$|ce soir\W*$)", ""),
    ("fr", W, "", "distress", r"\b(je n'en peux plus|je craque|je m'effondre|crises? d'angoisse)\b",
     r"\b(mignon|mdr|trop bien)\b"),
    ("fr", C, SH, "neg", r"\b(me couper|je me coupe|je me suis coupee?|me faire du mal|me (suis )?(encore )?scarifi\w*|"
     r"scarification|me bruler|je me fais du mal)\b", r"\b(cuisine|sans faire expres|accident)\b"),
    ("fr", C, HO, "", r"\b(je vais|je veux) (le|la|les) (tuer|poignarder|buter)\b|\b(tuer|poignarder) (quelqu'un|"
     r"tout le monde)\b", r"\b(mdr|ptdr|jeu|blague)\b"),
    ("fr", C, AB, "", r"\b(mon|ma) (pere|mere|beau-pere|mari|copain|conjoint|ex|oncle) me (frappe|bat|a frappee?|"
     r"menace|viole|touche|enferme)\b|\bpeur de rentrer (chez moi|a la maison)\b", ""),
    ("fr", C, ME, "", r"\bj'ai (pris|avale) (tous mes|toute la boite de|une boite entiere de|plein de) "
     r"(medicaments|comprimes|cachets)\b", ""),
    ("fr", W, SI, "third", r"\b(mon ami|mon amie|mon frere|ma soeur|mon fils|ma fille|il|elle)\b[^.!?]{0,30}"
     r"\b(veut|dit qu'(il|elle) veut|pense a) (mourir|se tuer|se suicider)\b", ""),
    # ------------------------------------------------------------------ German
    ("de", C, SI, "neg", r"\b(will|mochte|moechte|werde|denke daran,?|habe lust|hab lust|wurde am liebsten) "
     r"(einfach )?(sterben|mich umbringen|mir das leben nehmen|mich toten|tot sein|suizid begehen|"
     r"mich umzubringen|mir das leben zu nehmen|verschwinden fur immer)\b", ""),
    ("de", C, SI, "", r"\b(will|mochte|kann) nicht mehr leben\b|\bkeine lust mehr (zu leben|auf das leben)\b", ""),
    ("de", C, SI, "neg", r"\b(selbstmord|suizid)gedanken\b|\bich bin suizidal\b|\bsuizidal\b", ""),
    ("de", C, SI, "", r"\b(ohne mich )?besser dran ohne mich\b|\bohne mich (waren|ware) (alle|sie|es) besser\b|"
     r"\bniemand wurde mich vermissen\b", ""),
    ("de", C, SI, "", r"\b(keinen|kein) sinn mehr (zu leben|im leben|weiterzumachen)\b|\bdas leben hat keinen "
     r"sinn( mehr)?\b|\bwozu (noch )?leben\b", ""),
    ("de", C, SI, "", r"\beinschlafen und nicht mehr aufwachen\b|\bnie (mehr|wieder) aufwachen\b", ""),
    ("de", C, SI, "", r"\bwenn ich nicht mehr da bin\b|\bverschenke (all )?meine sachen\b",
     r"\b(umzug|ziehe um|urlaub|reise)\b"),
    ("de", C, SI, "method", r"\bwie viele (tabletten|pillen|mg)\b[^.?!]{0,50}\b(sterben|todlich|toten|uberdosis|"
     r"nicht mehr aufwachen)\b", ""),
    ("de", C, SI, "method", r"\b(schnellste|einfachste|schmerzlose|sicherste)n? (art|weg|methode),? (zu sterben|"
     r"mich umzubringen|sich umzubringen)\b", ""),
    ("de", W, SI, "method", r"\btodliche dosis\b", ""),
    ("de", W, SI, "", r"\b(suizid|selbstmord)\b", r"\b(suizidpravention|pravention)\b"),
    ("de", W, SI, "ideation", r"\b(hoffnungslos|keine hoffnung mehr|wird nie besser|ich bin (nur )?eine last|"
     r"abschiedsbrief)\b", ""),
    ("de", W, SI, "final", r"\b(ich habe mich entschieden|meine entscheidung steht|heute nacht ist es soweit|"
     r"das ist ein abschied|lebt wohl|danke fur alles\W*$|heute nacht\W*$)", ""),
    ("de", W, "", "distress", r"\b(ich kann nicht mehr|ich halte es nicht mehr aus|ich breche zusammen|"
     r"panikattacken?)\b", r"\b(lachen|so susse?|haha)\b"),
    ("de", C, SH, "neg", r"\b(mich ritzen|ich ritze mich|(habe|hab|hatte) mich (\w+ ){0,3}geritzt|mich (selbst )?verletzen|verletze mich|"
     r"selbstverletzung|mir wehtun|mir weh tun)\b", r"\b(kochen|aus versehen|unfall|sport|training)\b"),
    ("de", C, HO, "", r"\b(ich werde|ich will|ich bringe) (ihn|sie|alle|jemanden|meinen \w+|meine \w+) (\w+ ){0,3}(umbringen|"
     r"toten|abstechen|erschiessen)\b", r"\b(haha|witz|spiel)\b"),
    ("de", C, AB, "", r"\b(mein|meine) (vater|mutter|stiefvater|mann|freund|partner|ex|onkel) (schlagt|schlaegt|"
     r"schlug|bedroht|vergewaltigt|beruhrt|schliesst) mich\b|\bangst,? nach hause zu gehen\b", ""),
    ("de", C, ME, "", r"\b(habe|hab) (alle|eine ganze packung|viele|die ganze packung) (tabletten|pillen) "
     r"(genommen|geschluckt)\b", ""),
    ("de", W, SI, "third", r"\b(mein freund|meine freundin|mein bruder|meine schwester|mein sohn|meine tochter|er|"
     r"sie)\b[^.!?]{0,30}\b(will sterben|will sich umbringen|denkt daran,? sich umzubringen|ist suizidal)\b", ""),
    # ------------------------------------------------------------------ Italian
    ("it", C, SI, "neg", r"\b(voglio|vorrei|sto pensando di|penso di|ho voglia di|ho intenzione di|voglio solo) "
     r"(morire|uccidermi|ammazzarmi|suicidarmi|togliermi la vita|farla finita|sparire per sempre|"
     r"smettere di esistere)\b", r"\bfarla finita con\b"),
    ("it", C, SI, "", r"\bnon (voglio|ho) (piu )?(voglia di )?vivere\b|\bnon voglio piu svegliarmi\b",
     r"\bnon voglio vivere (in|con|vicino)\b"),
    ("it", C, SI, "neg", r"\bpensieri (suicidi|suicidari|di morte)\b|\bsono suicida\b", ""),
    ("it", C, SI, "", r"\b(starebbero|stanno|starebbe) meglio senza di me\b|\bnessuno sentirebbe la mia mancanza\b",
     ""),
    ("it", C, SI, "", r"\bnon (ha|c'e) (piu )?(nessun )?senso (vivere|andare avanti)\b|\bche senso ha (vivere|"
     r"la vita)\b", ""),
    ("it", C, SI, "", r"\baddormentarmi e non svegliarmi( piu)?\b|\bnon svegliarmi piu\b", ""),
    ("it", C, SI, "", r"\bquando non ci saro piu\b|\bsto regalando (tutte )?le mie cose\b",
     r"\b(trasloc\w*|vacanza|viaggio|beneficenza)\b"),
    ("it", C, SI, "method", r"\bquante (pillole|pastiglie|compresse|mg)\b[^.?!]{0,50}\b(morire|uccidere|letale|"
     r"overdose|non svegliarmi)\b", ""),
    ("it", C, SI, "method", r"\bmodo (piu )?(veloce|facile|indolore|rapido) (per|di) (morire|uccidermi|"
     r"ammazzarmi)\b", ""),
    ("it", W, SI, "method", r"\bdose letale\b", ""),
    ("it", W, SI, "", r"\bsuicid(io|arsi|a)\b", r"\bprevenzione del suicidio\b"),
    ("it", W, SI, "ideation", r"\b(senza speranza|non migliorera mai|sono un peso|solo un peso|lettera d'addio)\b",
     ""),
    ("it", W, SI, "final", r"\b(ho deciso|la mia decisione e presa|stanotte e la notte|questo e un addio|addio a "
     r"tutti|grazie di tutto\W*$|stanotte\W*$)", ""),
    ("it", W, "", "distress", r"\b(non ce la faccio piu|sto crollando|attacchi di panico)\b",
     r"\b(ridere|carino|ahah)\b"),
    ("it", C, SH, "neg", r"\b(tagliarmi|mi taglio|mi sono tagliat[oa]|farmi del male|mi faccio del male|"
     r"autolesion\w*|bruciarmi)\b", r"\b(cucina|per sbaglio|incidente)\b"),
    ("it", C, HO, "", r"\b(voglio|vado a|sto per) (ammazzarlo|ammazzarla|ucciderlo|ucciderla|ammazzare qualcuno|"
     r"uccidere qualcuno|ammazzarli)\b", r"\b(ahah|scherzo|gioco)\b"),
    ("it", C, AB, "", r"\b(mio|mia) (padre|madre|patrigno|marito|ragazzo|compagno|ex|zio) mi (picchia|ha "
     r"picchiat[oa]|minaccia|violenta|tocca|chiude)\b|\bpaura di tornare a casa\b", ""),
    ("it", C, ME, "", r"\bho (preso|ingoiato) (tutte le|una scatola intera di|un sacco di|tutta la scatola di) "
     r"(pillole|pastiglie|compresse)\b", ""),
    ("it", W, SI, "third", r"\b(il mio amico|la mia amica|mio fratello|mia sorella|mio figlio|mia figlia|lui|lei)\b"
     r"[^.!?]{0,30}\b(vuole|dice che vuole|pensa di) (morire|uccidersi|ammazzarsi|suicidarsi)\b", ""),
    # ------------------------------------------------------------------ Indonesian
    ("id", C, SI, "neg subj", r"\b(ingin|pengen|pgn|mau|kepingin|pengin|berniat|kepikiran|kepikiran (untuk|buat)|"
     r"pengen aja|mau aja|ingin segera) (mati|bunuh diri|mengakhiri hidup(ku| saya| gue)?|ngakhirin hidup\w*|"
     r"menghilang selamanya)\b",
     r"\b(hp|hape|handphone|baterai|batre|laptop|lampu|listrik|mesin|motor|mobil|tanaman|ikan|laper|lapar)\b"),
    ("id", C, SI, "", r"\b(gak|ga|nggak|enggak|tidak|tak|gk|ngga) (mau|ingin|pengen|pengin|kuat) hidup( lagi)?\b",
     r"\bhidup (di|dengan|sama|bareng)\b"),
    ("id", C, SI, "", r"\blebih baik (aku|saya|gue|gw) (mati|gak ada|tidak ada|nggak ada)\b|\blebih baik tanpa "
     r"(aku|saya|gue|gw)\b|\b(gak|tidak|nggak) ada yang (peduli|bakal kangen|akan merasa kehilangan)\b[^.!?]{0,30}"
     r"\b(mati|pergi|gak ada|tidak ada)\b", ""),
    ("id", C, SI, "", r"\b(gak|tidak|nggak) ada (gunanya|artinya) (aku )?(hidup|lagi hidup)\b|\bbuat apa (aku |"
     r"saya |gue )?hidup\b|\bcapek hidup\b|\blelah hidup\b", ""),
    ("id", C, SI, "", r"\btidur (dan|terus|trus) (gak|tidak|nggak) bangun lagi\b|\bgak usah bangun lagi\b", ""),
    ("id", C, SI, "", r"\bkalau (aku|saya|gue) (sudah|udah) (gak|tidak|nggak) ada( nanti)?\b|\b(bagi-bagiin|"
     r"bagiin|bagikan|ngasih) (semua )?barang(-barang)?(ku| aku| saya)?\b", r"\b(pindah\w*|donasi|amal)\b"),
    ("id", C, SI, "method", r"\bberapa (banyak )?(pil|obat|tablet|butir)\b[^.?!]{0,50}\b(mati|overdosis|overdose|"
     r"od|mematikan|gak bangun)\b", ""),
    ("id", C, SI, "method", r"\bcara (paling )?(cepat|mudah|gampang|tanpa sakit|gak sakit) (untuk |buat )?(mati|"
     r"bunuh diri|mengakhiri hidup)\b", ""),
    ("id", W, SI, "method", r"\bdosis (mematikan|letal)\b", ""),
    ("id", W, SI, "", r"\bbunuh diri\b", r"\bpencegahan bunuh diri\b"),
    ("id", W, SI, "ideation", r"\b(putus asa|gak ada harapan|tidak ada harapan|(aku|saya|gue) (cuma|hanya) (jadi )?"
     r"beban|surat perpisahan)\b", ""),
    ("id", W, SI, "final", r"\b(aku|saya|gue) (sudah|udah) (memutuskan|mutusin)\b|\bmalam ini (adalah )?malamnya\b|"
     r"\bselamat tinggal (semua|selamanya)\b|\bmakasih (untuk|buat) semuanya\W*$|\bmalam ini\W*$", ""),
    ("id", W, "", "distress", r"\b(aku|saya|gue) (udah|sudah) (gak|tidak|ga|nggak) kuat( lagi)?\b|\bserangan panik\b",
     r"\b(lucu|wkwk|haha)\b"),
    ("id", C, SH, "neg", r"\b(nyakitin|menyakiti|melukai|nyilet|menyilet|menyayat|sayat) (diri( sendiri)?|"
     r"diriku|tangan(ku)?|pergelangan)\b|\bself ?harm\b", r"\b(masak|gak sengaja|tidak sengaja)\b"),
    ("id", C, HO, "", r"\b(aku|gue|saya|gw) (mau|bakal|pengen|akan) (bunuh|nusuk|menusuk|membunuh) (dia|mereka|"
     r"orang|bos|semua)\b", r"\b(wkwk|haha|bercanda|game)\b"),
    ("id", C, AB, "", r"\b(ayah|bapak|papa|ibu|mama|suami|pacar|ayah tiri|paman)(ku)? (sering )?(mukul|memukul|"
     r"nampar|menampar|mengancam|memperkosa|nyiksa|menyiksa|ngancam) (aku|saya|gue)\b|\btakut pulang ke rumah\b",
     ""),
    ("id", C, ME, "", r"\b(aku|saya|gue) (udah|sudah|baru) (minum|nelen|menelan) (semua|banyak|sebotol|satu strip|"
     r"semua obat|segenggam)\b", ""),
    # ------------------------------------------------------------------ Hindi (romanised)
    ("hi", C, SI, "", r"\b(marna|mar jaana|mar jana|marjana|mar jaun|mar jau|mrna) (chahta|chahti|chahte|"
     r"chahata) (hoon|hu|hun|hoo|hai main)\b", ""),
    ("hi", C, SI, "", r"\b(mujhe|muje|mjhe|mujhko) (ab )?(nahi|nahin|nai|nhi|ni) (jeena|jina)\b|\b(jeena|jina|"
     r"jeene|jine) (ka )?(mann|man|mn) (nahi|nahin|nai|nhi) (karta|karti|hai|krta)\b|\b(jeena|jina) (nahi|nahin|"
     r"nai|nhi) (chahta|chahti)\b|\b(ab|aur) (nahi|nahin|nhi) (jeena|jina)\b", ""),
    ("hi", C, SI, "", r"\b(khudkushi|khudkhushi|khudkushee|khud kushi|suicide|aatmhatya|atmhatya|aatmahatya) "
     r"(karna|karne|kar lunga|kar lungi|kar lu|kar loon|karunga|karungi|ka (soch|sochta|"
     r"sochti|khayal))\b", ""),
    ("hi", C, SI, "", r"\b(khud ko|apne aap ko|khudko|khud ki) (maar|mar|khatam|khatm|jaan) (dalna|dunga|dungi|dena|"
     r"lunga|lungi|karna|kar lunga|kar dunga|kar dungi|le lunga|le lungi|lena)\b", ""),
    ("hi", C, SI, "", r"\b(zindagi|zindgi|jindagi|jindgi|life|jaan) (khatam|khatm|end|khtm) (karna|karne|kar dunga|"
     r"kar dungi|kar lunga|kar lungi|kar du|kar doon)\b", ""),
    ("hi", C, SI, "", r"\b(sab|sabhi|ghar wale|gharwale|family|log) (mere|meri) bina (behtar|khush|better|zyada "
     r"khush)\b|\bkoi (mujhe )?miss nahi karega\b|\bkisi ko (meri )?(farak|fark|fr?k) nahi (padega|pdega)\b", ""),
    ("hi", C, SI, "", r"\b(jeene|jine) ka (koi )?(matlab|fayda|faida|maqsad|mtlb) nahi\b|\bkya (fayda|faida) "
     r"(hai )?(jeene|jine) ka\b|\bzindagi se (thak|tang aa|haar) (gaya|gayi|gya|gyi)\b", ""),
    ("hi", C, SI, "", r"\b(so jaun|so jau|sona chahta|sona chahti) (aur|or) (kabhi )?(na|nahi) (uthun|uthu|uthna)\b|"
     r"\b(kabhi )?(uthna|jagna) (hi )?nahi (chahta|chahti)\b", ""),
    ("hi", C, SI, "", r"\bjab (main|mai) (nahi|nahin) (rahunga|rahungi|rahu)\b|\b(apna|mera) (saara|sara) (saman|"
     r"samaan) (baant|de|baat) (raha|rahi|diya)\b", r"\b(shift|ghar badal|naye ghar)\b"),
    ("hi", C, SI, "method", r"\bkitni (goliyan|goliya|goli|tablets|pills|dawai|dawaiyan)\b[^.?!]{0,50}\b(mar|"
     r"marne|maut|overdose|jaan)\w*", ""),
    ("hi", C, SI, "method", r"\b(marne|mrne) ka (sabse )?(aasan|asan|painless|tez|jaldi) (tarika|tareeka|tarikaa|"
     r"rasta)\b", ""),
    ("hi", W, SI, "ideation", r"\b(koi umeed nahi|umeed khatam|(main|mai) (bas )?(ek )?bojh (hoon|hu)|sab khatam "
     r"ho gaya|haar gaya (hoon|hu)|haar gayi (hoon|hu))\b", ""),
    ("hi", W, SI, "final", r"\b(maine|mene) (faisla|decide) kar (liya|liya hai)\b|\baaj raat hi\b|\balvida "
     r"(sabko|hamesha)\b|\bsab ka shukriya\W*$|\baaj raat\W*$", ""),
    ("hi", W, "", "distress", r"\b(ab|aur) (bardasht|sahan) nahi (hota|ho raha)\b|\b(panic attack|tut (gaya|"
     r"gayi) (hoon|hu))\b", r"\b(haha|hasi|cute)\b"),
    ("hi", C, SH, "", r"\b(haath|hath|kalai|kalaai) (kaat|kaata|kat) (liya|li|lunga|lungi|raha|rahi|leta|leti)\b|"
     r"\bkhud ko (kaat|kaatna|cut|chot pahuncha|hurt)\w*\b|\bcutting (karta|karti|kar raha|kar rahi)\b", ""),
    ("hi", C, HO, "", r"\b(main|mai) (use|usko|unko|sabko|usse|uski|unhe) (maar dalunga|maar dalungi|jaan se maar "
     r"dunga|jaan se maar dungi|khatam kar dunga|chaku maar dunga)\b", r"\b(haha|mazak|lol)\b"),
    ("hi", C, AB, "", r"\b(papa|pita|pitaji|maa|mummy|pati|husband|boyfriend|sautela baap|chacha|mama|sasur) "
     r"(mujhe|muje) (\w+ ){0,2}(maarte|marte|peet|pitte|peetate|maarta|marta|dhamki|chhoote|chhute|chhoota)\w*\b|\bghar "
     r"(jaane|jane) se (darr|dar) (lagta|lgta)\b", ""),
    ("hi", C, ME, "", r"\b(maine|mene) (saari|sari|bahut saari|bahut|poori|puri) (goliyan|goliya|tablets|dawai|"
     r"dawaiyan|strip) (kha|khaa|le) (li|lee|liya|li hain)\b", ""),
    ("hi", W, SI, "third", r"\b(mera dost|meri dost|meri behen|mera bhai|woh|vo|wo|usne)\b[^.!?]{0,30}\b(marna "
     r"(chahta|chahti) hai|suicide karna chahta|khudkushi (karna|ki baat))\b", ""),
    # ------------------------------------------------------------------ Hindi (Devanagari)
    ("hi", C, SI, "", r"(मरना|मर जाना) चाहत(ा|ी) (हूं|हु)|(जीना|जीने) (नहीं|नही) चाहत(ा|ी)|(मुझे|अब) (नहीं|नही) "
     r"जीना|जीने का (मन|मन्न) (नहीं|नही) (करता|करती)", ""),
    ("hi", C, SI, "", r"(आत्महत्या|खुदकुशी) (करना|कर लूंगा|कर लूंगी|कर लूं|के बारे में सोच|करने का)|खुद को "
     r"(मार|खत्म|ख़त्म) (दूंगा|दूंगी|कर|डाल)|(जिंदगी|ज़िंदगी|ज़िन्दगी|जिन्दगी) (खत्म|ख़त्म) (करना|कर दूंगा|कर दूंगी)", ""),
    ("hi", C, SI, "", r"(सब|सभी|घरवाले) मेरे बिना (बेहतर|खुश)|जीने का (कोई )?(मतलब|फायदा|फ़ायदा|मकसद) (नहीं|नही)"
     r"|(जिंदगी|ज़िंदगी) से (थक|हार) (गया|गई|गयी)", ""),
    ("hi", C, SH, "", r"(हाथ|कलाई) (काट|काटा|काटी) (लिया|ली|लूंगा|लूंगी|रहा|रही)|खुद को (चोट|नुकसान) (पहुंचा|"
     r"पहुँचा)", ""),
    ("hi", C, SI, "method", r"कितनी (गोलियां|गोलियाँ|गोली|दवाई|दवाइयां)[^.?!।]{0,50}(मर|मौत|ओवरडोज़|ओवरडोज)", ""),
    ("hi", C, AB, "", r"(पापा|पिता|पिताजी|मां|माँ|पति|सौतेले पिता) मुझे (मारते|पीटते|मारता|पीटता|धमकी)", ""),
    ("hi", C, ME, "", r"(मैंने|मेने) (सारी|सब|बहुत सारी) (गोलियां|गोलियाँ|दवाई|दवाइयां) (खा|ले) (लीं|ली|लिया)", ""),
    ("hi", W, SI, "ideation", r"(कोई उम्मीद (नहीं|नही)|मैं (बस )?(एक )?बोझ (हूं|हु))", ""),
    ("hi", W, SI, "", r"आत्महत्या|खुदकुशी", ""),
    # ------------------------------------------------------------------ concept parity, all languages
    # English: more ways of saying the same things
    ("en", C, SI, "neg", r"\b(feel like|felt like|feels like|think about|thought about|considering|contemplating) (dying|killing myself|ending (it|my life|things)|suicide|not being here)\b", r"\b(story|novel|character)\b"),
    ("en", C, SI, "neg", r"\b(i am|i feel|i have been) (ready|prepared) to (die|go|leave this world|end it)\b", r"\b(trip|flight|holiday|exam|race|party)\b"),
    ("en", C, SI, "", r"\b(said|saying|say) (my )?goodbyes?\b[^.!?]{0,40}\b(ready|tonight|for good|forever|last time)\b|\b(last|final) (message|time you will hear from me)\b", r"\b(party|trip|move|job|leaving do|farewell party)\b"),
    ("en", C, SI, "", r"\b(i|i have) (bought|got|have) (a |the )?(rope|gun|pills|blade|razor blades?)\b[^.!?]{0,40}\b(tonight|ready|for myself|to end|for it)\b", ""),
    ("en", C, SH, "neg", r"\b(hurt|hurting|harm|harming|hit|hitting|cut|cutting|burn|burning) myself (on purpose|deliberately|again|when)\b", ""),
    ("en", C, SI, "", r"\b(life|living) (is not|is no longer|is not) worth (it|living)\b|\bnot worth living\b", r"\b(without (coffee|music|pizza|wifi))\b"),
    ("en", C, SI, "", r"\b(want|wanted|need) (it|everything|this|the pain) to (end|stop) (forever|for good|permanently)\b", ""),
    # Spanish
    ("es", C, SI, "neg", r"\b(pienso|pensando|he pensado|estoy pensando|pense) (mucho )?en (el suicidio|suicidarme|matarme|quitarme la vida|morir(me)?|acabar con todo)\b", r"\b(novela|personaje|ensayo|clase)\b"),
    ("es", C, SI, "", r"\b(quiero|voy a) acabar con (todo|esto|mi vida) (esta noche|hoy|ya|para siempre)\b|\bya me despedi de (todos|mi familia)\b", ""),
    ("es", C, SI, "", r"\bla vida no (vale|merece) la pena\b|\bno vale la pena vivir\b|\bcansad[oa] de vivir\b", ""),
    ("es", C, SI, "", r"\b(nadie|ninguno) (notaria|notaria|se daria cuenta) si (yo )?(desapareciera|me muriera|no estuviera)\b|\bsi (yo )?desapareciera nadie\b", ""),
    ("es", C, SH, "neg", r"\b(me (he )?(lastimado|golpeado|quemado|cortado)|me lastimo|me golpeo|me rasguno) (a proposito|otra vez|de nuevo|los brazos|las piernas)?\b", r"\b(cocinando|sin querer|accidente|jugando|futbol)\b"),
    ("es", C, HO, "", r"\b(lo|la|los) voy a (matar|apunalar|lastimar)\b|\b(voy a|quiero) (matar|lastimar) a (mi \w+|el|ella|todos)\b", r"\b(jaja|broma|juego)\b"),
    ("es", C, AB, "", r"\bme (pega|golpea|pego|golpeo|amenaza|ahorca|violo|ahorco) (mi|el|ella)\b|\b(me|nos) (pega|golpea) cuando (bebe|esta borracho|se enoja)\b", ""),
    ("es", C, ME, "", r"\b(me tome|tome|me trague|me acabo de tomar) (todo el|todas las|toda la|un blister|una caja)\b[^.!?]{0,30}\b(pastillas|medicamentos|pildoras)\b|\bsobredosis\b[^.!?]{0,20}\b(me tome|tome|acabo)\b", ""),
    # Portuguese
    ("pt", C, SI, "neg", r"\b(penso|pensando|pensei|tenho pensado|to pensando|estou pensando) (muito )?em (suicidio|me suicidar|me matar|tirar minha vida|morrer|acabar com tudo)\b", r"\b(livro|personagem|redacao|aula)\b"),
    ("pt", C, SI, "", r"\b(quero|vou) acabar com (tudo|isso|minha vida) (hoje|essa noite|esta noite|agora|de vez)\b|\bja me despedi de (todos|todo mundo|minha familia)\b", ""),
    ("pt", C, SI, "", r"\ba vida nao vale a pena\b|\bnao vale a pena viver\b|\bcansad[oa] de viver\b", ""),
    ("pt", C, SH, "neg", r"\b(me (machuquei|bati|queimei|arranhei)|me machuco|me bato) (de proposito|de novo|outra vez)\b", r"\b(cozinhando|sem querer|acidente|futebol)\b"),
    ("pt", C, HO, "", r"\bvou (matar|esfaquear) (ele|ela|esse|essa|aquele|aquela)\b|\b(vou|quero) matar (meu|minha|o|a) \w+\b", r"\b(kkk|haha|brincadeira|jogo|fome)\b"),
    ("pt", C, AB, "", r"\b(me bate|me agride|me espanca|me enforcou|me ameaca) (quando|todo dia|sempre)\b", ""),
    # French
    ("fr", C, SI, "neg", r"\b(je pense|j'ai pense|je songe|pense) (souvent |beaucoup )?(a|au) (la mort|mourir|me tuer|me suicider|suicide|en finir)\b", r"\b(roman|personnage|dissertation|cours)\b"),
    ("fr", C, SI, "", r"\b(la vie ne vaut (plus )?pas la peine|ne vaut plus la peine d'etre vecue)\b|\bfatigue(e)? de vivre\b|\bmarre de vivre\b", ""),
    ("fr", C, SI, "", r"\bje (veux|vais) en finir (ce soir|aujourd'hui|maintenant|pour de bon)\b|\bj'ai dit adieu a\b", ""),
    ("fr", C, SH, "neg", r"\bje me (blesse|frappe|brule|griffe) (expres|exprès|encore|volontairement)\b|\bje me suis (encore )?(blessee?|brulee?|coupee?) (expres|volontairement|les bras)\b", ""),
    ("fr", C, HO, "", r"\bje vais (le|la|les) (tuer|buter|poignarder|frapper)\b|\bje vais tuer (mon|ma|ce|cette) \w+\b", r"\b(mdr|ptdr|jeu|blague)\b"),
    ("fr", C, AB, "", r"\bme (frappe|bat|menace|etrangle|a etranglee?) (quand|tous les|souvent)\b", ""),
    # German
    ("de", C, SI, "neg", r"\b(denke|dachte|ich denke) (oft |standig |viel )?(an|uber) (den tod|suizid|selbstmord|sterben|mich umzubringen)\b", r"\b(roman|figur|referat|aufsatz)\b"),
    ("de", C, SI, "", r"\b(das leben ist es nicht (mehr )?wert|lebensmude|lebensmuede)\b|\b(keine kraft|keinen grund) mehr (zu leben|weiterzuleben)\b", ""),
    ("de", C, SI, "", r"\b(ich mache|mach) (heute|heute nacht|jetzt) schluss\b|\b(habe|hab) mich (von allen )?verabschiedet\b", r"\b(arbeit|feierabend|buro|schicht|beziehung|freund|freundin)\b"),
    ("de", C, SH, "neg", r"\b(ich )?(verletze|schlage|verbrenne|kratze) mich (selbst )?(absichtlich|wieder|immer wieder)\b", ""),
    ("de", C, HO, "", r"\bich (bringe|bring) (ihn|sie|die|den) (\w+ ){0,3}um\b", r"\b(haha|witz|spiel)\b"),
    ("de", C, AB, "", r"\b(schlagt|schlaegt|bedroht|wurgt|wuergt) mich (wenn|jeden|immer|oft)\b", ""),
    # Italian
    ("it", C, SI, "neg", r"\b(penso|pensando|ho pensato|sto pensando) (spesso |molto )?(al suicidio|a uccidermi|ad ammazzarmi|a togliermi la vita|di morire|a morire|di farla finita)\b", r"\b(romanzo|personaggio|tema)\b"),
    ("it", C, SI, "", r"\bla vita non vale (piu )?la pena\b|\bstanc[oa] di vivere\b", ""),
    ("it", C, SI, "", r"\b(la faccio|voglio farla) finita (stanotte|stasera|oggi|per sempre)\b|\bho (gia )?salutato tutti\b", ""),
    ("it", C, SH, "neg", r"\bmi (ferisco|colpisco|brucio|graffio|taglio) (apposta|di proposito|di nuovo|ancora)\b|\bmi sono (ferit[oa]|bruciat[oa]|tagliat[oa]) (apposta|di nuovo|le braccia)\b", ""),
    ("it", C, HO, "", r"\b(lo|la|li) (ammazzo|uccido|accoltello)\b|\bvoglio (ammazzare|uccidere) (mio|mia|il|la|quel|quella) \w+\b", r"\b(ahah|scherzo|gioco|fame)\b"),
    ("it", C, AB, "", r"\bmi (picchia|minaccia|strangola) (quando|ogni|sempre|spesso)\b", ""),
    # Indonesian
    ("id", C, SI, "neg subj", r"\b(kepikiran|mikirin|memikirkan|pikiran (untuk|buat)?) ?(bunuh diri|mati|mengakhiri hidup)\b", r"\b(novel|tokoh|film|berita)\b"),
    ("id", C, SI, "", r"\b(hidup|hidupku) (gak|tidak|nggak|ga) (ada artinya|berarti|ada gunanya)( lagi)?\b|\bcapek (banget )?(sama|dengan) hidup\b|\bpengen (pergi|menghilang) (selamanya|dari dunia ini)\b", ""),
    ("id", C, SI, "", r"\b(malam ini|hari ini) (aku|saya|gue) (akan )?(mengakhiri|akhiri|ngakhirin) (semuanya|hidup\w*)\b|\b(aku|saya|gue) (udah|sudah) pamit\b", ""),
    ("id", C, SH, "neg", r"\b(aku|saya|gue) (sengaja )?(nyakitin|menyakiti|melukai|mukul|memukul|bakar) diri( sendiri)?\b|\b(nyilet|menyilet|sayat) (lagi|tangan|lengan)\b", ""),
    ("id", C, HO, "", r"\b(aku|gue|saya|gw) (mau|bakal|pengen|akan) (bunuh|tusuk|habisi|bacok)\b", r"\b(wkwk|haha|bercanda|game|nyamuk|kecoa)\b"),
    ("id", C, AB, "", r"\b(sering|selalu|suka) (dipukul|ditampar|diancam|disiksa|dipaksa)\b", ""),
    ("id", C, ME, "", r"\b(minum|nelen|menelan|nelan) (semua|sebotol|satu strip|banyak banget) (obat|pil)\w*\b", ""),
    # Hindi (romanised)
    ("hi", C, SI, "", r"\b(marne|mrne) (ka|ke) (khayal|khyal|vichar|soch|sochta|sochti|sochte)\b|\b(suicide|khudkushi|aatmhatya) (ke baare mein|ka) (soch|sochta|sochti|khayal)\w*\b", r"\b(film|kahani|khabar|news)\b"),
    ("hi", C, SI, "", r"\b(ab|aur) (jeena|jina) (nahi|nahin|nhi) (hai|hota|chahta|chahti)\b|\b(zindagi|zindgi|jindagi) (se )?(tang|pareshan) (aa )?(gaya|gayi|gya|gyi) (hoon|hu)\b", ""),
    ("hi", C, SI, "", r"\b(aaj raat|aaj) (sab )?(khatam|khatm) (kar dunga|kar dungi|kar lunga|kar lungi)\b|\b(sabko|sab se) alvida (keh|kah) (diya|di)\b", ""),
    ("hi", C, SH, "", r"\b(khud ko|apne aap ko) (maarta|marta|peet|chot|jalaata|jalata|nuksan)\w* (hoon|hu|raha|rahi)\b", ""),
    ("hi", C, HO, "", r"\b(usko|use|unko) (maar|jaan se maar) (dunga|dungi|daalunga|dalunga)\b", r"\b(haha|mazak|lol|machhar)\b"),
    ("hi", C, AB, "", r"\b(mujhe|muje) (roz|har din|hamesha)? ?(maarte|marte|peette|pitte|maarta|marta) (hain|hai|the)\b", ""),
    # searching for methods
    ("en", C, SI, "", r"\b(looking up|looking for|searching( for)?|researching|googling|read about|reading about) (ways|how|methods|the best way) to (kill myself|die|end (it|my life)|commit suicide)\b", r"\b(novel|character|story|essay|research paper)\b"),
    ("es", C, SI, "", r"\b(buscando|busco|busque|he buscado|investigando) (formas|maneras|metodos|como) (de |para )?(matarme|suicidarme|morir|quitarme la vida)\b", ""),
    ("pt", C, SI, "", r"\b(pesquisando|procurando|pesquisei|procurei) (formas|jeitos|maneiras|metodos|como) (de |para |pra )?(me matar|morrer|me suicidar|tirar minha vida)\b", ""),
    ("fr", C, SI, "", r"\b(je cherche|cherche|j'ai cherche|je regarde) (des |les )?(facons|moyens|methodes|comment) (de |pour )?(me tuer|mourir|me suicider|en finir)\b", ""),
    ("de", C, SI, "", r"\b(suche|gesucht|recherchiere|google)\b[^.!?]{0,30}\b(wegen|methoden|moglichkeiten|wie man),? (mich umzubringen|zu sterben|mir das leben zu nehmen|sich umbringt)\b", ""),
    ("it", C, SI, "", r"\b(sto cercando|cerco|ho cercato) (modi|metodi|come) (per |di )?(uccidermi|morire|ammazzarmi|suicidarmi|togliermi la vita)\b", ""),
    ("id", C, SI, "", r"\b(nyari|cari|mencari|googling|searching) (cara|gimana) (buat |untuk )?(bunuh diri|mati|mengakhiri hidup)\b", ""),
    ("hi", C, SI, "", r"\b(marne|mrne|suicide|khudkushi) (ke|ka) (tareeke|tarike|tarika|tareeka|tarikey) (dhoondh|dhund|dekh|search)\w*\b", ""),
    # hoping not to wake up
    ("es", C, SI, "", r"\bojala (no )?(despertara|despierte|amaneciera|amanezca)\b|\bespero no despertar\b", ""),
    ("pt", C, SI, "", r"\b(queria|tomara que eu|tomara que|espero) nao acordar\b", ""),
    ("fr", C, SI, "", r"\b(j'espere|j'aimerais|je voudrais|je souhaite) ne (pas|plus|jamais) me reveiller\b", ""),
    ("de", C, SI, "", r"\b(hoffe|wunschte|wunsche mir),? (ich|dass ich) (\w+ ){0,2}nicht (mehr )?(auf|aufwache)\b", ""),
    ("it", C, SI, "", r"\b(spero|vorrei) di non svegliarmi\b", ""),
    ("id", C, SI, "", r"\b(semoga|moga|pengen|berharap|harap) (besok )?(aku |saya |gue )?(gak|tidak|nggak|ga|ngga) bangun( lagi)?\b", ""),
    ("hi", C, SI, "", r"\b(kaash|kash)\b[^.!?]{0,30}\b(aankh|ankh) (hi )?(na|nahi) khule\b|\b(kaash|kash)\b[^.!?]{0,30}\b(na|nahi) (uthun|uthu|jaagun)\b", ""),
    # burning or hitting oneself
    ("en", C, SH, "", r"\b(burned|burnt|burning|burn) (myself|my (arm|arms|skin|hand|wrist)) (with|on purpose|again)\b|\b(punch|punched|punching|hit|hitting|bang|banged|banging) (the wall|walls|my head)\b[^.!?]{0,40}\b(bled|bleed|bleeding|on purpose|to myself|until)\b", r"\b(cooking|oven|iron|sun|stove|by accident|accidentally)\b"),
    ("es", C, SH, "", r"\bme quemo (los brazos|la piel|las manos|con (cigarros|cigarrillos|un encendedor|mecheros?))\b", r"\b(cocinando|horno|plancha|sol)\b"),
    ("pt", C, SH, "", r"\b(me queimo|me queimei) (com (cigarro|isqueiro)|os bracos|a pele)\b", r"\b(cozinhando|forno|ferro|sol)\b"),
    ("fr", C, SH, "", r"\bje me brule (avec (des cigarettes|une cigarette|un briquet)|les bras|la peau)\b", r"\b(cuisine|four|fer|soleil)\b"),
    ("de", C, SH, "", r"\bverbrenne mich (mit (zigaretten|einer zigarette|einem feuerzeug)|selbst|absichtlich)\b", r"\b(kochen|herd|bugeleisen|sonne)\b"),
    ("it", C, SH, "", r"\bmi brucio (con (le sigarette|una sigaretta|l'accendino)|le braccia|la pelle)\b", r"\b(cucina|forno|ferro|sole)\b"),
    ("id", C, SH, "", r"\b(nyundut|menyundut|bakar|membakar) (tangan|lengan|kulit)\w*( sendiri)? (pake|pakai|dengan) (rokok|korek|api)\b", ""),
    ("hi", C, SH, "", r"\b(haath|hath|apna haath|khud ko|baazu|bazu) (jalata|jalati|jala|jalaata) (hoon|hu|leta|leti|liya|raha|rahi)\b|\bcigarette se (apna )?(haath|hath|khud ko|baazu) jala\w*\b", ""),
    # taking all the pills (a stated intent)
    ("en", C, SI, "", r"\b(going to|gonna|will|am about to) (take|swallow|down) (all|every one of|the whole (bottle|box|pack) of) (my |the |those )?(pills|meds|tablets|medication|sleeping pills)\b", r"\b(trip|holiday|with me|travel)\b"),
    ("es", C, SI, "", r"\b(me voy a tomar|voy a tomar|me tomo|me tomare) todas (las|mis) (pastillas|pildoras|medicinas)\b", ""),
    ("pt", C, SI, "", r"\b(vou tomar|tomo|vou engolir) todos os (meus )?(remedios|comprimidos|medicamentos)\b", ""),
    ("fr", C, SI, "", r"\b(je vais prendre|je prends|je vais avaler|j'avale) tous mes (medicaments|comprimes|cachets)\b", ""),
    ("de", C, SI, "", r"\b(nehme ich|ich nehme|werde ich|ich werde|schlucke ich|ich schlucke) alle (meine )?(tabletten|pillen|medikamente)\b", ""),
    ("it", C, SI, "", r"\b(prendo|prendero|ingoio|mi prendo) tutte le (mie )?(pillole|pastiglie|compresse|medicine)\b", ""),
    ("id", C, SI, "", r"\b(mau|akan|bakal|pengen) (minum|nelen|menelan) semua obat\w*\b", ""),
    ("hi", C, SI, "", r"\b(saari|sari|sab) (goliyan|goliya|dawai|dawaiyan|tablets) (kha|le) (lunga|lungi|jaunga|jaungi|loonga)\b", ""),
    # other English ways
    ("en", C, SI, "", r"\b(do not|cannot|can not) see myself (being )?(alive|here|around) (next|in|by|at)\b", ""),
    ("en", C, SI, "", r"\bstop(ped)? being (a problem|a burden|here|alive)\b[^.!?]{0,30}\b(permanently|for good|forever)\b", ""),
    ("en", C, SI, "method", r"\bwhich (over the counter |otc )?(meds|medicines|medications|pills|drugs) (are|would be) (deadly|lethal|fatal)\b", ""),
    ("en", C, SI, "neg", r"\b(yeet\w*|throw\w*|launch\w*|hurl\w*) myself (off|from|out of|in front of)\b", ""),
    ("en", C, SI, "", r"\bsaid goodbye to (everyone|all my friends|my family|everybody)\b", r"\b(party|trip|move|moving|leaving|airport|flight)\b"),
    ("fr", C, SI, "", r"\b(j'ai dit au revoir|j'ai fait mes adieux) a (tout le monde|tous|ma famille)\b", r"\b(fete|voyage|demenag\w*|depart)\b"),
    ("id", C, SI, "", r"\b(udah|sudah) pamit (sama|ke|kepada) (semua|semuanya|semua orang|keluarga)\b", r"\b(pindah|mudik|pergi ke|berangkat)\b"),
    ("hi", C, SI, "", r"\b(jeene|jine) ki (koi )?(ichha|ichchha|iccha|chahat|wajah|vajah) (nahi|nahin) (bachi|rahi|hai)\b", ""),
    # means acquired, with intent
    ("en", C, SI, "", r"\b(bought|got|buying|ordered|have) (a |some |the )?(rope|noose|gun|razor blades?|charcoal|helium)\b.{0,60}\b(know what i am (doing|going to do)|what it is for|for myself|tonight|i am ready|to end it)\b", r"\b(camping|climbing|boat|sailing|garden|hunting|range|party|balloons?)\b"),
    ("es", C, SI, "", r"\b(compre|tengo|consegui) (una |la )?(cuerda|soga|pistola|arma|cuchillas)\b[^.!?]{0,50}\b(se lo que voy a hacer|para (mi|esta noche)|estoy list[oa])\b", ""),
    ("pt", C, SI, "", r"\b(comprei|tenho|consegui) (uma |a )?(corda|arma|lamina|laminas)\b[^.!?]{0,50}\b(sei o que vou fazer|pra (mim|hoje)|estou pront[oa])\b", ""),
    ("fr", C, SI, "", r"\b(achete|j'ai achete|j'ai) (une |la )?(corde|arme|lame|lames)\b[^.!?]{0,50}\b(je sais ce que je vais (en )?faire|pour (moi|ce soir)|je suis pret(e)?)\b", ""),
    ("de", C, SI, "", r"\b(seil|strick|waffe|klingen)\b[^.!?]{0,30}\b(gekauft|besorgt)\b[^.!?]{0,50}\b(weiss,? was ich (damit )?(mache|tue)|fur mich|heute nacht|bin bereit)\b", ""),
    ("it", C, SI, "", r"\b(comprato|preso|ho) (una |la )?(corda|pistola|lama|lamette)\b[^.!?]{0,50}\b(so cosa farne|so cosa fare|per me|stanotte|sono pront[oa])\b", ""),
    ("id", C, SI, "", r"\b(beli|udah beli|sudah beli|punya) (tali|pistol|silet)\b[^.!?]{0,50}\b(tahu mau ngapain|tau mau ngapain|buat (aku|diriku)|malam ini|udah siap)\b", ""),
    ("hi", C, SI, "", r"\b(rassi|rasi|bandook|blade)\b[^.!?]{0,20}\b(khareedi|kharidi|khareeda|kharida|le aaya|le aayi)\b[^.!?]{0,50}\b(pata hai kya karna|kya karna hai|aaj raat|taiyaar)\b", ""),
    # not being a burden much longer
    ("en", C, SI, "", r"\b(will not|not going to) be (a problem|a burden|in (anyone's|your|the) way)\b[^.!?]{0,30}\b(much longer|for long|soon|anymore)\b|\bsoon i will not be (a burden|a problem|around)\b", ""),
    ("es", C, SI, "", r"\bno (voy a ser|sere) (un problema|una carga|un estorbo) para nadie (por mucho tiempo|mucho mas|pronto)\b|\bpronto no (sere|voy a ser) (una carga|un problema)\b", ""),
    ("pt", C, SI, "", r"\bnao (vou ser|serei) (um problema|um peso|um fardo|um estorvo) (pra|para) ninguem (por muito tempo|mais|logo)\b", ""),
    ("fr", C, SI, "", r"\bje ne serai plus (un probleme|un fardeau|un poids) pour personne\b", ""),
    ("de", C, SI, "", r"\b(bald )?niemandem mehr zur last (fallen|falle)\b", ""),
    ("it", C, SI, "", r"\bnon saro piu (un peso|un problema) per nessuno\b", ""),
    ("id", C, SI, "", r"\b(gak|tidak|nggak) akan (jadi )?beban (buat|bagi|untuk) siapa(-siapa| pun)?\b", ""),
    ("hi", C, SI, "", r"\b(kisi pe|kisi par|kisi ke liye) bojh (nahi|nahin) (rahunga|rahungi|banunga|banungi)\b", ""),
    # rather dead, own funeral, overdose intent
    ("hi", C, SI, "", r"\b(jeene|jine) se (toh |to )?marna behtar\b|\bmarna (hi )?behtar hai\b", ""),
    ("hi", C, SI, "", r"\boverdose (le|kar) (lunga|lungi|loonga|lu)\b", ""),
    ("en", C, SI, "", r"\b(imagining|imagine|picturing|picture|fantasi[sz]ing about|planning) my (own )?(funeral|death)\b", r"\b(will|insurance|old age|when i am (old|90))\b"),
    # scratching until bleeding
    ("en", C, SH, "", r"\b(scratch|scratched|scratching|pick|picked|picking) (at )?(my )?(arms|skin|legs|wrists)\b[^.!?]{0,20}\b(until|till) (they |it )?(bleed|bled|bleeds)\b", ""),
    ("es", C, SH, "", r"\bme (rasguno|rasco|arano) (los brazos|la piel|las piernas)\b[^.!?]{0,20}\bhasta (que )?sangr\w*", ""),
    ("pt", C, SH, "", r"\b(me )?(arranho|cocei|arranhei) (meus|os|minha|a) (bracos|pele|pernas)\b[^.!?]{0,20}\bate sangrar\b", ""),
    ("fr", C, SH, "", r"\bje me (griffe|gratte) (les bras|la peau|les jambes)\b[^.!?]{0,20}\bjusqu'au sang\b", ""),
    ("de", C, SH, "", r"\bkratze mir (die arme|die haut|die beine)\b[^.!?]{0,20}\b(auf|blutig|bis sie bluten)\b", ""),
    ("it", C, SH, "", r"\bmi graffio (le braccia|la pelle|le gambe)\b[^.!?]{0,20}\bfino a sanguinare\b", ""),
    ("id", C, SH, "", r"\b(garuk|cakar|menggaruk|mencakar) (tangan|lengan|kulit)\w*\b[^.!?]{0,20}\b(sampai|sampe) berdarah\b", ""),
    ("hi", C, SH, "", r"\b(nochta|nochti|khurachta|khurachti)\b[^.!?]{0,40}\bkhoon\b", ""),
    ("es", C, SI, "neg", r"\b(me quiero|me voy a|me pienso|me queria|me dan ganas de) (matar|suicidar|morir)\b", r"\bme (quiero|voy a) morir de (risa|ganas|hambre|sueno)\b"),
    ("pt", C, SI, "neg", r"\b(eu )?(vou|quero|queria) me (matar|suicidar)\b", ""),
    # letters left for the family, affairs closed
    ("en", C, SI, "", r"\b(left|wrote|written|leaving|writing) (goodbye )?(letters|a letter|notes|a note) (for|to) (my )?(kids|children|family|parents|son|sons|daughter|daughters|wife|husband|partner)\b", r"\b(trip|holiday|birthday|christmas|camp|when i am away|while i am away)\b"),
    ("en", C, SI, "", r"\b(they|my (family|kids|children|wife|husband|partner)|everyone) (will|would) be (fine|ok|okay|alright|better) without me\b", ""),
    ("es", C, SI, "", r"\b(deje|escribi|dejo) (unas |las )?(cartas|una carta|notas) (para|a) (mis hijos|mi familia|mis padres|mi hija|mi hijo|mi pareja)\b", r"\b(viaje|vacaciones|cumpleanos|navidad)\b"),
    ("pt", C, SI, "", r"\b(deixei|escrevi) (umas |as )?(cartas|uma carta|bilhetes) (pros|para os|pra|para a|para) (meus filhos|minha familia|meus pais|minha filha|meu filho)\b", r"\b(viagem|ferias|aniversario|natal)\b"),
    ("fr", C, SI, "", r"\bj'ai (laisse|ecrit) (des|une) (lettres?|mots?) (pour|a) (mes enfants|ma famille|mes parents|ma fille|mon fils)\b", r"\b(voyage|vacances|anniversaire|noel)\b"),
    ("de", C, SI, "", r"\b(briefe|einen brief|abschiedsbriefe) (fur|an) (meine kinder|meine familie|meine eltern|meine tochter|meinen sohn)\b[^.!?]{0,20}\b(hinterlassen|geschrieben)\b", r"\b(urlaub|reise|geburtstag|weihnachten)\b"),
    ("it", C, SI, "", r"\bho (lasciato|scritto) (delle |una )?(lettere|lettera|biglietti) (per|ai|a) (i miei figli|mia figlia|mio figlio|la mia famiglia|miei genitori)\b", r"\b(viaggio|vacanza|compleanno|natale)\b"),
    ("id", C, SI, "", r"\b(ninggalin|meninggalkan|nulis|menulis) surat (buat|untuk) (anak-anakku|anakku|keluargaku|orang tuaku|istriku|suamiku)\b", r"\b(liburan|ulang tahun|mudik)\b"),
    ("hi", C, SI, "", r"\b(bachchon|bachon|family|gharwalon|maa baap) ke liye (khat|chitthi|letter) (chhod|likh) (diye|diya|di)\b", r"\b(trip|chhutti|birthday)\b"),
    # hurting a named person, with a weapon or their address
    ("en", C, HO, "", r"\b(knife|gun|weapon|bat)\b[^.!?]{0,60}\b(know where (he|she|they) (lives?|works?))\b|\b(know where (he|she|they) (lives?|works?))\b[^.!?]{0,60}\b(knife|gun|weapon)\b", ""),
    ("es", C, HO, "", r"\b(voy a|quiero) hacer(le|les)? dano a\b|\bse donde vive\b[^.!?]{0,40}\b(cuchillo|pistola|arma)\b", r"\b(jaja|broma)\b"),
    ("pt", C, HO, "", r"\bsei onde (ele|ela) mora\b[^.!?]{0,40}\b(faca|arma)\b", ""),
    ("fr", C, HO, "", r"\bje vais faire du mal a\b|\bje sais ou (il|elle) habite\b[^.!?]{0,40}\b(couteau|arme)\b", r"\b(mdr|blague)\b"),
    ("de", C, HO, "", r"\bich werde (ihm|ihr|meiner|meinem|deiner|ihnen) (\w+ ){0,2}weh ?tun\b|\bweiss,? wo (er|sie) wohnt\b[^.!?]{0,40}\b(messer|waffe)\b", ""),
    ("it", C, HO, "", r"\bfaro del male a\b|\bso dove abita\b[^.!?]{0,40}\b(coltello|pistola|arma)\b", ""),
    ("id", C, HO, "", r"\b(aku|gue|saya) (bakal|mau|akan) (nyakitin|menyakiti|melukai) (mantan|dia|mereka)\w*\b", r"\b(hati|perasaan)\b"),
    ("hi", C, HO, "", r"\b(ko )?nuksan (pahunchaunga|pahunchaungi|pahuchaunga)\b|\bmere paas (chaku|chaaku|bandook)\b", ""),
    # which medicines are deadly
    ("es", C, SI, "method", r"\b(que|cuales) (pastillas|medicamentos|remedios|pildoras) son (mortales|letales)\b", ""),
    ("pt", C, SI, "method", r"\b(quais|que) (remedios|comprimidos|medicamentos) (matam|sao letais|sao mortais)\b", ""),
    ("fr", C, SI, "method", r"\bquels (medicaments|comprimes|cachets) sont (mortels|letaux)\b", ""),
    ("de", C, SI, "method", r"\bwelche (medikamente|tabletten|pillen) sind todlich\b", ""),
    ("it", C, SI, "method", r"\bquali (farmaci|pillole|medicine) sono (mortali|letali)\b", ""),
    ("id", C, SI, "method", r"\bobat apa (yang )?(bisa )?(bikin|buat|membuat) mati\b", ""),
    ("hi", C, SI, "method", r"\b(kaun si|konsi|kaunsi) (dawai|dawa|goli|goliyan)\b[^.?!]{0,40}\bmaut\b", ""),
    # not minding being killed
    ("en", C, SI, "", r"\b(would not|wouldn't) (mind|care) if i (got|was|were|get) (hit|run over|killed)\b|\b(would not|wouldn't) (mind|care) if i (died|did not wake up|never woke up)\b", ""),
    ("es", C, SI, "", r"\bno me importaria (que me atropell\w+|morir(me)?|no despertar(me)?)\b", ""),
    ("pt", C, SI, "", r"\bnao me importaria (se (um carro|um onibus) me atropelasse|de morrer|se eu morresse|de nao acordar)\b", ""),
    ("fr", C, SI, "", r"\b(ca )?ne me (derangerait|generait) pas de (me faire renverser|mourir|ne pas me reveiller)\b", ""),
    ("de", C, SI, "", r"\b(es )?ware mir egal,? wenn (mich|ich) (\w+ ){0,3}(uberfahrt|sterbe|sterben wurde|nicht mehr aufwache)\b", ""),
    ("it", C, SI, "", r"\bnon mi dispiacerebbe (se (\w+ ){0,2}mi investisse|morire|non svegliarmi)\b", ""),
    ("id", C, SI, "", r"\b(gak|tidak|nggak|ga) keberatan kalau (besok )?(aku )?(ketabrak|tertabrak|mati|gak bangun)\b", ""),
    ("hi", C, SI, "", r"\bfarak nahi (padega|padta) agar (kal )?(koi gaadi|main mar|mujhe (koi )?(kuchal|maar))\b", ""),
    # a stated suicide, coded spellings
    ("en", C, SI, "neg", r"\b(going to|will|want to|plan to|planning to|about to) (go )?(commit )?suicide\b", r"\b(squad|mission|run)\b"),
    # handfuls of pills, with alcohol
    ("en", C, ME, "", r"\b(took|taken|swallowed|downed) (a handful|a bunch|loads|lots|a load) of (\w+'?s? ){0,2}(pills|tablets|meds|painkillers)\b", ""),
    ("es", C, ME, "", r"\b(me tome|tome|me trague) un (punado|monton) de (pastillas|pildoras|medicamentos)\b", ""),
    ("pt", C, ME, "", r"\btomei um (punhado|monte) de (remedios|comprimidos|pilulas)\b", ""),
    ("fr", C, ME, "", r"\bj'ai (pris|avale) une poignee de (medicaments|comprimes|cachets|pilules)\b", ""),
    ("de", C, ME, "", r"\b(eine )?handvoll (tabletten|pillen)\b[^.!?]{0,40}\b(genommen|geschluckt)\b", ""),
    ("it", C, ME, "", r"\bho (preso|ingoiato) una manciata di (pillole|pastiglie|compresse)\b", ""),
    ("id", C, ME, "", r"\b(minum|nelen|menelan) segenggam (obat|pil)\b", ""),
    ("hi", C, ME, "", r"\b(mutthi|muththi) bhar (goliyan|goliya|dawai)\b[^.!?]{0,40}\b(kha|le) (li|liya|lee)\b", ""),
    ("en", C, SI, "method", r"\b(most )?(reliable|surest|certain|foolproof|guaranteed) (way|method) to do it\b|\bwake up in (a|the) hospital\b[^.!?]{0,30}\b(again|this time)\b", ""),
    # last night, not making it through the night
    ("en", C, SI, "", r"\b(this is|tonight is|it is) my (last|final) (night|day)\b|\b(do not|cannot) think i will (make it|survive|last) (through|past) (the|this|tonight)\b", r"\b(trip|holiday|vacation|job|shift|in (paris|london|town|the city)|before (the|my) (move|flight|wedding))\b"),
    ("es", C, SI, "", r"\b(esta es|hoy es) mi ultima noche\b|\bno creo que (pase|llegue a|sobreviva) (de )?esta noche\b", r"\b(viaje|vacaciones|trabajo|en (madrid|la ciudad))\b"),
    ("pt", C, SI, "", r"\b(essa|esta|hoje) e minha ultima noite\b|\bacho que nao (passo|sobrevivo|chego) (dessa|desta|a essa) noite\b", r"\b(viagem|ferias|trabalho)\b"),
    ("fr", C, SI, "", r"\bc'est ma (derniere|ultime) nuit\b|\bje ne pense pas (passer|survivre a) (la|cette) nuit\b", r"\b(voyage|vacances|boulot|a paris)\b"),
    ("de", C, SI, "", r"\bdas ist meine letzte nacht\b|\bich (glaube|denke) nicht,? dass ich die nacht (uberstehe|uberlebe)\b", r"\b(urlaub|reise|arbeit|in berlin)\b"),
    ("it", C, SI, "", r"\bquesta e la mia ultima notte\b|\bnon credo di (arrivare a domattina|superare (la|questa) notte)\b", r"\b(viaggio|vacanza|lavoro)\b"),
    ("id", C, SI, "", r"\bini malam terakhir(ku| aku)\b|\b(kayaknya|sepertinya) (aku|saya|gue) (gak|tidak|nggak) (bakal|akan) (lewat|bertahan) malam ini\b", r"\b(liburan|kerja|di (bali|jakarta))\b"),
    ("hi", C, SI, "", r"\b(aaj|yeh) meri (aakhri|akhri|aakhiri) raat hai\b|\baaj ki raat (nikal|kaat) (nahi )?(paunga|paungi)\b", r"\b(trip|chhutti|naukri|shahar mein)\b"),
    # done with living
    ("en", C, SI, "", r"\b(i am )?done\b[^?!]{0,30}\bwith (living|life|being alive|existing)\b", ""),
    ("es", C, SI, "", r"\b(termine|acabe|ya termine)\b[^?!]{0,30}\bcon (vivir|la vida)\b", ""),
    ("pt", C, SI, "", r"\b(cansei|acabou|terminei)\b[^?!]{0,30}\b(de viver|com a vida)\b", ""),
    ("fr", C, SI, "", r"\bj'en ai fini\b[^?!]{0,30}\b(avec la vie|de vivre)\b", ""),
    ("de", C, SI, "", r"\bich bin fertig\b[^?!]{0,30}\bmit dem leben\b", ""),
    ("it", C, SI, "", r"\bho chiuso\b[^?!]{0,30}\bcon la vita\b|\bho chiuso con la vita\b", ""),
    ("id", C, SI, "", r"\b(aku|saya|gue) (udah|sudah) selesai\b[^?!]{0,30}\b(sama|dengan) hidup\b", ""),
    ("hi", C, SI, "", r"\b(bas )?ho gaya\b[^?!]{0,30}\bzindagi se\b", ""),
    # pills in front of me
    ("en", C, SI, "", r"\b(pills|tablets|bottle of pills|a blade|a knife|the rope|a gun) (right )?(in front of me|next to me|in my hand)\b[^.!?]{0,20}\b(right now|now|tonight)?", r"\b(vitamins?|prescribed|doctor|cooking)\b"),
    ("es", C, SI, "", r"\b(pastillas|frasco de pastillas|cuchilla|cuerda|pistola) (enfrente|delante de mi|en la mano)\b", ""),
    ("pt", C, SI, "", r"\b(remedios|comprimidos|vidro de remedios|lamina|corda|arma) na minha (frente|mao)\b", ""),
    ("fr", C, SI, "", r"\b(medicaments|comprimes|boite de medicaments|lame|corde) devant moi\b", ""),
    ("de", C, SI, "", r"\b(tabletten|packung tabletten|klinge|seil|waffe) vor mir (liegen|liegt)\b", ""),
    ("it", C, SI, "", r"\b(pillole|scatola di pillole|lametta|corda|pistola) davanti a me\b", ""),
    ("id", C, SI, "", r"\b(obat|sebotol obat|silet|tali|pistol) di depan(ku| aku)\b", ""),
    ("hi", C, SI, "", r"\bmere saamne (goliyon|goliyan|dawai|blade|rassi)\b", ""),
    # the blade
    ("en", C, SH, "", r"\b(blade|razor|cutting) is the only thing (that )?(helps|works|makes me feel)\b", ""),
    # threats to kill if the user leaves
    ("en", C, AB, "", r"\b(he|she|my (husband|wife|partner|boyfriend|girlfriend|ex)) (said|says|told me|threatened)\b[^.!?]{0,40}\b(kill|hurt) (me|us|the kids|the children)\b", r"\b(lol|joke|game)\b"),
    ("es", C, AB, "", r"\b(dice|dijo|amenaza) que si (lo|la) dejo\b[^.!?]{0,30}\b(me mata|nos mata|me hace dano)\b|\bme (mata|va a matar) a mi y a (los|mis) (ninos|hijos)\b", ""),
    ("pt", C, AB, "", r"\b(disse|diz|ameaca) que se eu (for embora|largar|sair)\b[^.!?]{0,30}\b(mata|me mata|vai me matar)\b", ""),
    ("fr", C, AB, "", r"\b(dit|a dit|menace) que si je (pars|le quitte|la quitte)\b[^.!?]{0,30}\b(il|elle) me tue\b", ""),
    ("de", C, AB, "", r"\b(sagt|hat gesagt|droht),? wenn ich (gehe|ihn verlasse|sie verlasse)\b[^.!?]{0,30}\b(bringt|bringe) (er|sie) mich\b", ""),
    ("it", C, AB, "", r"\b(dice|ha detto|minaccia) che se lo lascio\b[^.!?]{0,30}\b(ammazza|uccide) me\b", ""),
    ("id", C, AB, "", r"\b(bilang|ngancam|mengancam) kalau aku pergi\b[^.!?]{0,30}\b(bunuh|membunuh) aku\b", ""),
    ("hi", C, AB, "", r"\bagar main (gayi|gaya|chali gayi|chhod)\b[^.!?]{0,40}\b(maar denge|maar dega|maar dalenge|jaan se maar)\b", ""),
    # slang / coded wishes to die
    ("fr", C, SI, "neg", r"\b(jveux|j'veux|je veux|envie de) crever\b", r"\b(de faim|de chaud|de rire)\b"),
    ("hi", C, SI, "", r"\b(sach mein|sach me|seriously) marna (hai|chahta|chahti)\b|\bmujhe marna hai\b", ""),
    ("pt", C, SI, "neg", r"\beu quero morrer\b", r"\b(de rir|de vergonha|de fome)\b"),
    ("it", C, SI, "neg", r"\b(giuro )?voglio morire\b", r"\b(dal ridere|di vergogna)\b"),
]

# Idioms: a match overlapping one of these is not a risk statement.
_IDIOMS: dict[str, str] = {
    "en": r"\b(is|are|was|were|it is|this|that|these|those) (\w+ )?(killing|gonna kill|going to kill) me\b|"
    r"\bdying (to|for) (try|see|know|meet|go|get|hear|watch|eat|read)\b|\bto die for\b|\bkill for (a|an|some)\b|"
    r"\b(dead|dying) (tired|of (laughter|laughing|embarrassment|boredom))\b|\bi am dead\b(?=[^.!?]*(😂|🤣|lol|lmao|"
    r"haha|💀))|\bkill me( now)?\b(?=[^.!?]*(😂|🤣|lol|lmao|haha|💀|meeting|monday|mondays|homework))|"
    r"\bkilling it\b|\bdrop dead gorgeous\b|\b(going to|gonna) (kill|murder) (me|us)\b|\bkill (the|this) "
    r"(process|task|job|server|app|tab|engine|lights|music)\b|\b(my|the) (phone|battery|laptop|car|plant|plants) "
    r"(is )?(dying|died|dead)\b|\bi (will|would) not survive\b|\bdie of (embarrassment|laughter|boredom|cringe)\b|"
    r"\b(cannot|can not|could not) live without (my|a|the|coffee|music|chocolate|her|him|you|it)\b",
    "es": r"\bme muero de (ganas|risa|hambre|sueno|verguenza|frio|calor|aburrimiento)\b|\b(me )?(esta )?matando\b"
    r"(?= (de|con) (risa|calor))|\b(este|esta|el|la|estos|estas) \w+ me (esta )?mata(ndo)?\b|\bmuert[oa] de "
    r"(cansancio|risa|hambre|sueno|miedo|frio)\b|\bmorirme de (risa|ganas)\b|\bno (puedo|podria) vivir sin\b",
    "pt": r"\bmorrendo de (vontade|rir|fome|sono|medo|saudade|calor|frio|tedio)\b|\b(isso|esse \w+|essa \w+|"
    r"esse|essa) (ta|esta) me matando\b|\bme mata de rir\b|\bmort[oa] de (cansad[oa]|fome|sono|rir)\b|"
    r"\bnao (vivo|consigo viver|posso viver) sem\b",
    "fr": r"\bmourir de rire\b|\bmort(e)? de (rire|fatigue|faim)\b|\bje meurs (d'envie|de faim|de chaud|de froid|"
    r"de rire)\b|\b(ca|ce \w+|cette \w+) me tue\b|\bmdr\b|\b(ne peux pas|peux pas) vivre sans\b",
    "de": r"\bich sterbe vor (hunger|lachen|langeweile|neugier)\b|\b(bringt|bringen) mich (noch )?um\b|"
    r"\btod(mude|langweilig)\b|\btotgelacht\b|\bnicht ohne (meinen |meine |mein )?\w+ leben\b|\bohne (meinen |meine |mein )?\w+ nicht leben\b",
    "it": r"\bmuoio (dalla voglia|di (fame|sonno|caldo|freddo|noia))\b|\bmort[oa] di (sonno|fame|stanchezza)\b|"
    r"\bda morire\b|\bmi (sta|stanno) uccidendo\b|\b(crepare|morire) dal ridere\b|\bnon (posso|riesco a) vivere senza\b",
    "id": r"\bmati (gaya|kutu|lampu|listrik|kebosanan)\b|\b(hp|hape|laptop|baterai|batre|lampu)(ku|nya)? (mau )?"
    r"mati\b|\bketawa (sampe|sampai) mati\b|\b(capek|lapar|laper|ngantuk|gabut) (banget )?(sampe )?mau mati\b|"
    r"\bbikin (gue|aku) mati (ketawa|gaya)\b|\b(gak|tidak|nggak) bisa hidup tanpa\b|"
    r"\b(panas|gerah|dingin|lapar|laper|capek|ngantuk|gabut|bosen|bosan) (banget|bgt)?[, ]*(rasanya )?(sampe )?mau mati( rasanya)?\b",
    "hi": r"\b(hans|has|hass)(te|-)? ?(hans|has|hass)?(te|ke|kar)? (mar|mar gaya|mar gayi|mar gaye)\b|"
    r"\b(bhookh|bhuk|garmi|thand) se mar (raha|rahi|rahe|gaya)\b|\b(boss|sir|mummy|papa|teacher|maa) (mujhe )?"
    r"(maar|mar) (dalega|dalegi|dalenge|degi|dega)\b|\bjaan nikal (gayi|gai)\b|\b(phone|battery) (mar|band ho|"
    r"khatam ho) (gaya|gayi)\b|भूख से मर|हंस हंस के मर|\bke bina (main )?(jee|ji|reh|rah) nahi (sakta|sakti)\b|"
    r"\b(garmi|thand|sardi)\b[^.!?]{0,20}\bmar gaye\b",
}

_NEGATORS = (
    r"\b(not|never|no|nobody|without|neither|nor|nunca|jamas|jamais|nao|nem|pas|plus|nicht|nie|niemals|kein|"
    r"keine|non|mai|tidak|gak|ga|nggak|enggak|tak|bukan|nahi|nahin|nhi|kabhi)\b|नहीं|नही|कभी"
)
_THIRD_SUBJECTS = (
    r"\b(teman|temanku|temen|temenku|sahabat|sahabatku|adik|adikku|kakak|kakakku|dia|pacar|pacarku|sepupu|"
    r"sepupuku|anak|anakku|ibuku|ayahku|mereka|woh|vo|wo|usne|uska|uski)\b"
)
_FIRST_PERSON = r"\b(aku|saya|gue|gw|gua|main|mai|mujhe|i|me|my)\b"
_FRIEND_DISGUISE = (
    r"\b(asking for a friend|for a friend|pregunto por un amig[oa]|es para un amig[oa]|pergunto por um amig[oa]|"
    r"e para um amig[oa]|c'est pour un(e)? ami(e)?|pour un(e)? ami(e)?|fur einen freund|fur eine freundin|"
    r"per un amico|per un'amica|buat temen|untuk teman|buat teman|dost ke liye|ek dost ke liye)\b"
)
_PETS = (
    r"\b(dog|dogs|cat|cats|pet|pets|puppy|kitten|horse|bird|rabbit|hamster|animal|animals|plant|plants|weeds|"
    r"mice|rats|bugs|perro|perros|gato|gatos|mascota|perrito|gatito|planta|cachorro|cao|pet|chien|chat|plante|"
    r"hund|katze|haustier|tier|pflanze|cane|gatto|animale|pianta|anjing|kucing|hewan|binatang|peliharaan|"
    r"tanaman|tikus|kutta|kutte|billi|janwar|paudha)\b"
)
_PURPOSE = (
    r"\b(article|essay|novel|story|book|class|course|exam|research|paper|thesis|report|journalism|pharmacology|"
    r"nursing|toxicology|homework|articulo|ensayo|novela|clase|investigacion|examen|artigo|redacao|pesquisa|"
    r"aula|prova|roman|recherche|cours|examen|artikel|aufsatz|referat|hausarbeit|kurs|articolo|tesina|ricerca|"
    r"esame|artikel|esai|skripsi|tugas|kuliah|ujian|penelitian|nibandh|assignment|project)\b"
)
_FICTION_FRAME = (
    r"\b(novel|book|film|movie|show|series|song|lyrics?|poem|character|protagonist|narrator|episode|game|news|"
    r"article|headline|documentary|quote|scene|play|novela|libro|pelicula|serie|cancion|letra|poema|personaje|"
    r"noticia|romance|livro|filme|musica|personagem|roman|livre|chanson|paroles|personnage|lied|songtext|"
    r"gedicht|figur|nachrichten|romanzo|canzone|testo|personaggio|notizia|cerita|lagu|lirik|puisi|tokoh|berita|"
    r"kahani|gaana|gana|kavita|kirdar|khabar)\b"
)
_SELF_TOO = (
    r"\b(so do i|me too|i feel the same|same here|i relate|like me|i do too|yo tambien|como yo|me identifico|"
    r"eu tambem|como eu|moi aussi|comme moi|ich auch|wie ich|anch'io|anche io|come me|aku juga|saya juga|"
    r"gue juga|main bhi|mujhe bhi|meri tarah)\b"
)
_DENIAL = (
    r"\b((do not|never) want to die|(i am )?not suicidal|(not|never) going to (kill|hurt) myself|would never (kill|"
    r"hurt) myself|no (thoughts|plans) of (suicide|killing myself|hurting myself)|no quiero morir(me)?|no (voy a|"
    r"pienso) (matarme|suicidarme)|no soy suicida|nao quero morrer|nao (vou|penso em) me matar|je ne veux pas "
    r"mourir|je ne vais pas me (tuer|suicider)|pas suicidaire|ich will nicht sterben|ich werde mich nicht "
    r"umbringen|nicht suizidal|non voglio morire|non sono suicida|(gak|tidak|nggak|ga|ngga) (mau|ingin|pengen) "
    r"mati|(gak|tidak) akan bunuh diri|marna nahi (chahta|chahti)|marne ka (koi )?irada nahi)\b|मरना नहीं चाहत"
)
_RETRACTION = (
    r"\b(jk|j/k|just kidding|kidding|only joking|just joking|nvm|never ?mind|forget (i said|it|that)|lol jk|"
    r"es broma|era broma|solo bromeaba|olvidalo|brincadeira|to brincando|estou brincando|esquece|zoeira|"
    r"je rigole|je plaisante|c'est une blague|laisse tomber|oublie|nur spass|war nur ein witz|scherz|vergiss es|"
    r"scherzo|stavo scherzando|lascia perdere|bercanda|becanda|cuma bercanda|lupakan|gak jadi|mazaak|mazak|"
    r"majak|chhodo|bhool jao)\b"
)
# fmt: on


@dataclass(frozen=True)
class _Rule:
    id: str
    lang: str
    level: Level
    category: str
    flags: frozenset[str]
    pattern: re.Pattern[str]
    unless: re.Pattern[str] | None


@dataclass(frozen=True)
class Hit:
    """One lexicon match and what the detector made of it.

    Attributes:
        rule: Rule id (``en-12``).
        lang: Language of the rule.
        level: ``crisis`` or ``concern`` after qualification.
        category: Risk category, or ``""`` for plain distress.
        span: The matched words (from the normalised text).
        flags: The rule's flags (``method``, ``ideation``, ``final``, ...).
        notes: Why the level was changed, in plain words.
    """

    rule: str
    lang: str
    level: Level
    category: str
    span: str
    flags: frozenset[str]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class LexiconResult:
    """All qualified hits of a text, and the message-level cues found."""

    hits: tuple[Hit, ...]
    retraction: bool = False
    friend_disguise: bool = False
    denial: bool = False
    idioms: tuple[str, ...] = ()


def _nfkc(p: str) -> str:
    return unicodedata.normalize("NFKC", p).replace("\u093c", "").replace("\u0901", "\u0902")


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[_Rule, ...], dict[str, re.Pattern[str]], dict[str, re.Pattern[str]]]:
    rules: list[_Rule] = []
    counters: dict[str, int] = {}
    for lang, level, cat, flags, pat, unless in _RULES:
        counters[lang] = counters.get(lang, 0) + 1
        rules.append(
            _Rule(
                id=f"{lang}-{counters[lang]}",
                lang=lang,
                level="crisis" if level == "crisis" else "concern",
                category=cat,
                flags=frozenset(flags.split()),
                pattern=re.compile(_nfkc(pat)),
                unless=re.compile(_nfkc(unless)) if unless else None,
            )
        )
    idioms = {lang: re.compile(_nfkc(p)) for lang, p in _IDIOMS.items()}
    cues = {
        name: re.compile(p)
        for name, p in {
            "neg": _NEGATORS,
            "third": _THIRD_SUBJECTS,
            "first": _FIRST_PERSON,
            "friend": _FRIEND_DISGUISE,
            "pets": _PETS,
            "purpose": _PURPOSE,
            "fiction": _FICTION_FRAME,
            "self_too": _SELF_TOO,
            "retraction": _RETRACTION,
            "denial": _DENIAL,
        }.items()
    }
    return tuple(rules), idioms, cues


_CLAUSE_END = re.compile(r"[.!?;:,\n]|\bbut\b|\bpero\b|\bmas\b|\bmais\b|\baber\b|\bma\b|\btapi\b|\blekin\b")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_QUOTED = re.compile(r'"[^"]{2,400}"')


def _left_words(text: str, start: int, n: int) -> str:
    left = text[max(0, start - 120) : start]
    ends = list(_CLAUSE_END.finditer(left))
    if ends:
        left = left[ends[-1].end() :]
    return " ".join(_WORD.findall(left)[-n:])


def match(text: str) -> LexiconResult:
    """Run every rule on normalised ``text`` and qualify each match.

    Args:
        text: Normalised text (:func:`emotool.safety.normalize.normalize`).

    Returns:
        The qualified hits and message-level cues (retraction, "asking for a friend", idioms).
    """
    rules, idioms, cues = _compiled()
    idiom_spans: list[tuple[int, int]] = []
    idiom_words: list[str] = []
    for pat in idioms.values():
        for m in pat.finditer(text):
            idiom_spans.append(m.span())
            idiom_words.append(m.group(0))
    friend = bool(cues["friend"].search(text))
    retraction = bool(cues["retraction"].search(text))
    quoted = [m.span() for m in _QUOTED.finditer(text)]
    fiction = bool(cues["fiction"].search(text)) and not cues["self_too"].search(text)
    hits: list[Hit] = []
    seen: set[tuple[str, int]] = set()
    for rule in rules:
        for m in rule.pattern.finditer(text):
            if (rule.id, m.start()) in seen:
                continue
            seen.add((rule.id, m.start()))
            s, e = m.span()
            if any(a < e and s < b for a, b in idiom_spans):
                continue
            if rule.unless is not None and rule.unless.search(text):
                continue
            level: Level = rule.level
            notes: list[str] = []
            if "method" in rule.flags:
                if cues["pets"].search(text) and not friend:
                    continue
                if friend:
                    level = "crisis"
                    notes.append("'asking for a friend' is read as being about the writer")
                elif cues["purpose"].search(text) and level == "crisis":
                    level = "concern"
                    notes.append("asked for a stated purpose (study, writing)")
            if "neg" in rule.flags and level == "crisis":
                left = _left_words(text, s, 3)
                if cues["neg"].search(left):
                    level = "concern"
                    notes.append(f"negated ('{left}')")
            if "subj" in rule.flags and level == "crisis" and not friend:
                left = _left_words(text, s, 6)
                if cues["third"].search(left) and not cues["first"].search(left):
                    level = "concern"
                    notes.append("about someone else")
            if "third" in rule.flags and friend:
                level = "crisis"
                notes.append("'asking for a friend' is read as being about the writer")
            if level == "crisis" and fiction and any(a <= s and e <= b for a, b in quoted):
                level = "concern"
                notes.append("quoted in a fiction or news frame")
            hits.append(Hit(rule.id, rule.lang, level, rule.category, m.group(0), rule.flags, tuple(notes)))
    return LexiconResult(
        hits=tuple(hits),
        retraction=retraction,
        friend_disguise=friend,
        denial=bool(cues["denial"].search(text)),
        idioms=tuple(idiom_words),
    )


_STOPWORDS: dict[str, str] = {
    "en": "the and i you to is my it of a am not do want that this have me what just be so about with for in "
    "it's i'm don't can't feel like anymore really",
    "es": "el la que de y no me yo es mi en lo por una un quiero estoy muy pero ya mas esto porque como tengo nada "
    "todo vida los las se si puedo",
    "pt": "o a que de e nao eu me meu minha um uma voce isso com para estou mais muito quero tudo nada vida tenho "
    "ja so os as pra to",
    "fr": "je le la les de et pas ne me moi mon ma un une est suis que tout plus veux vie c'est j'ai en avec pour "
    "ce n'ai",
    "de": "ich nicht und die der das mich mir mein ist bin ein eine zu es will mehr kann nur auch wie leben habe "
    "einfach",
    "it": "io non e il la che di mi sono un una ho voglio piu vita mio mia per con questo niente tutto ma lo sto",
    "id": "aku saya tidak gak ga yang dan ini itu mau ingin sudah udah lagi banget di ke dengan hidup capek bisa "
    "ada juga kamu apa gue nggak aja",
    "hi": "main mai mujhe nahi nahin hai hoon hu kya aur ki ka ke se mera meri ab bas koi kuch yaar jeena chahta "
    "chahti raha rahi gaya bhi tha thi hum tum kar na",
}


@lru_cache(maxsize=1)
def _stop_weights() -> dict[str, dict[str, float]]:
    owners: dict[str, list[str]] = {}
    for lang, words in _STOPWORDS.items():
        for w in set(words.split()):
            owners.setdefault(w, []).append(lang)
    return {w: {lang: 1.0 / len(langs) for lang in langs} for w, langs in owners.items()}


def detect_language(text: str, scripts: dict[str, int] | None = None) -> str:
    """A quick guess of the language of normalised ``text``: a code of :data:`LANGUAGES`, or ``"und"``.

    Devanagari is Hindi; Latin text is scored by common function words of each
    language (romanised Hindi included). Text in another script is ``"und"``.
    """
    if scripts:
        total = sum(scripts.values())
        if scripts.get("devanagari", 0) >= 0.3 * total:
            return "hi"
        if scripts.get("latin", 0) < 0.3 * total:
            return "und"
    weights = _stop_weights()
    score: dict[str, float] = {}
    for w in _WORD.findall(text[:4000]):
        for lang, v in weights.get(w, {}).items():
            score[lang] = score.get(lang, 0.0) + v
    if not score:
        return "und"
    best = max(score.items(), key=lambda kv: kv[1])
    return best[0] if best[1] >= 1.0 else "und"

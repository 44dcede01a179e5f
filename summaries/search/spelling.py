"""Other ways of writing a word: British and American spellings, and compounds written
as one word, two words or hyphenated.

These are rules of English, not editorial choices, so they live here in code (the
synonyms editors keep are data: ``SynonymGroup``). A rule may produce a form no text
uses ("supervize"): it then matches nothing and costs a little; search shows the reader
only forms that live summaries use.

Each engine stems what it is given (``behaviour`` and ``behavioural`` share a stem), but
British and American forms stem apart ("behaviour", "behavior"), so both are looked for.
"""

import re
from functools import lru_cache

# Pairs the rules below cannot derive (British, American). Inflections (-s, -es, -d, -ed,
# -ing, -al) are added to both by ``variants``.
PAIRS = {
    # -ence / -ense
    "offence": "offense",
    "defence": "defense",
    "licence": "license",
    "pretence": "pretense",
    # -re / -er
    "centre": "center",
    "metre": "meter",
    "theatre": "theater",
    "fibre": "fiber",
    "litre": "liter",
    "calibre": "caliber",
    "spectre": "specter",
    "sombre": "somber",
    "meagre": "meager",
    "manoeuvre": "maneuver",
    # -ogue / -og
    "catalogue": "catalog",
    "dialogue": "dialog",
    "analogue": "analog",
    # -mme / -m
    "programme": "program",
    "programmes": "programs",
    # doubled or single l
    "travelled": "traveled",
    "travelling": "traveling",
    "traveller": "traveler",
    "travellers": "travelers",
    "modelling": "modeling",
    "modelled": "modeled",
    "counselling": "counseling",
    "counselled": "counseled",
    "counsellor": "counselor",
    "counsellors": "counselors",
    "labelled": "labeled",
    "labelling": "labeling",
    "cancelled": "canceled",
    "signalling": "signaling",
    "levelling": "leveling",
    "fuelled": "fueled",
    "enrolment": "enrollment",
    "instalment": "installment",
    "fulfil": "fulfill",
    "skilful": "skillful",
    "wilful": "willful",
    "jewellery": "jewelry",
    # -ement / -ment
    "judgement": "judgment",
    "acknowledgement": "acknowledgment",
    # ae, oe
    "paediatric": "pediatric",
    "anaemia": "anemia",
    "haemorrhage": "hemorrhage",
    "orthopaedic": "orthopedic",
    "encyclopaedia": "encyclopedia",
    "oestrogen": "estrogen",
    "foetal": "fetal",
    "foetus": "fetus",
    "diarrhoea": "diarrhea",
    "anaesthetic": "anesthetic",
    # others
    "ageing": "aging",
    "grey": "gray",
    "mould": "mold",
    "plough": "plow",
    "sceptic": "skeptic",
    "sceptical": "skeptical",
    "scepticism": "skepticism",
    "aluminium": "aluminum",
    "pyjamas": "pajamas",
    "moustache": "mustache",
}
_AMERICAN = {american: british for british, american in PAIRS.items()}
_INFLECTIONS = ("s", "es", "d", "ed", "ing", "al", "ally")

# -our / -or: the stems it applies to (behaviour, neighbourhood, misdemeanour, ...).
# Listed, as "-or" alone would take "for" to "four" and "tor" to "tour".
_OUR_STEMS = (
    "ard arb behavi cand clam col demean end(?:e)?av fav flav harb hon hum lab misdemean "
    "neighb od parl rig rum sav savi splend succ tum val vap vig"
).split()
_OUR = re.compile(
    rf"^({'|'.join(_OUR_STEMS)})(our|or)"
    r"(|s|ed|ing|er|ers|al|ally|ism|ist|ists|ite|ites|able|ably|ful|less|hood|hoods|"
    r"ly|ous|ously|ation)$"
)
# -ise / -ize and -yse / -yze with their inflections and -isation / -ization. A word
# where -ise is the only spelling ("advise", "exercise") gets a form nobody writes.
_ISE = re.compile(r"^(.{3,}?)(is|iz)(e|ed|es|ing|er|ers|ation|ations|ational|ationally|able)$")
_YSE = re.compile(r"^(.+l)(ys|yz)(e|ed|es|ing|er|ers)$")
_ISE_ONLY = frozenset(
    """advise arise comprise compromise despise devise disguise enterprise excise exercise
    franchise improvise merchandise premise revise supervise surmise surprise televise
    chastise circumcise incise apprise expertise otherwise promise precise concise demise
    paradise treatise cruise bruise noise poise praise raise appraise""".split()
)

# First parts of compounds written as one word, two words or hyphenated
# ("multisystemic", "multi systemic", "multi-systemic"; "psychosocial"; "reoffending").
COMPOUND_PREFIXES = (
    "anti",
    "co",
    "counter",
    "cyber",
    "inter",
    "multi",
    "non",
    "post",
    "pre",
    "psycho",
    "re",
    "socio",
)
# A compound's second part is at least this long, so "react" is not "re act".
_MIN_COMPOUND_REST = 4


@lru_cache(maxsize=4096)
def variants(word: str) -> frozenset[str]:
    """The other spellings of ``word`` (lower case), British or American; empty when it
    has none."""
    found: set[str] = set()
    for table in (PAIRS, _AMERICAN):
        if word in table:
            found.add(table[word])
        for ending in _INFLECTIONS:
            base = word[: -len(ending)]
            if word.endswith(ending) and base in table:
                other = table[base]
                # "centre" + "d" but "center" + "ed".
                found.add(other + ("ed" if ending == "d" and not other.endswith("e") else ending))
            # "offence" + "s" but "licence" + "d": a silent e is dropped before a vowel.
            if word.endswith(ending) and base + "e" in table and ending[0] in "aei":
                other = table[base + "e"]
                found.add((other[:-1] if other.endswith("e") else other) + ending)
    if match := _OUR.match(word):
        stem, middle, ending = match.groups()
        found.add(stem + ("or" if middle == "our" else "our") + ending)
    if (match := _ISE.match(word)) and not any(word.startswith(w[:-1]) for w in _ISE_ONLY):
        stem, middle, ending = match.groups()
        found.add(stem + ("iz" if middle == "is" else "is") + ending)
    if match := _YSE.match(word):
        stem, middle, ending = match.groups()
        found.add(stem + ("yz" if middle == "ys" else "ys") + ending)
    found.discard(word)
    return frozenset(found)


def compound_split(word: str) -> tuple[str, str] | None:
    """``word`` as the two words of a compound ("multisystemic": "multi", "systemic"),
    or None."""
    for prefix in COMPOUND_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= _MIN_COMPOUND_REST:
            return prefix, word[len(prefix) :]
    return None


def compound_join(first: str, second: str) -> str | None:
    """Two words as one compound ("multi", "systemic": "multisystemic"), or None."""
    if first in COMPOUND_PREFIXES and len(second) >= _MIN_COMPOUND_REST:
        return first + second
    return None

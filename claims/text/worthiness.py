"""Check-worthiness: which sentences of an article are worth checking.

Like ClaimBuster, a sentence scores for the things checkable statements carry: numbers,
percentages, dates, quantities, quotes, attributions ("zei", "volgens", "said",
"according to"), comparisons and superlatives. The rules are plain regular expressions
for Dutch and English, each with a weight; a sentence whose weights add up to
``FACTCHECK_SUGGEST_MIN_SCORE`` is suggested to the editor. Pure: text in, spans out.
The test table is ``tests/test_suggestions.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MONTHS = (
    r"januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    r"|january|february|march|may|june|july|august|october"
)
NUMBER_WORDS = (
    r"één|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|twintig|dertig|veertig"
    r"|vijftig|honderd|duizend|miljoen|miljard|dozijn"
    r"|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty"
    r"|hundred|thousand|million|billion|dozen"
)
ORDINALS = (
    r"eerste|tweede|derde|vierde|vijfde|zesde|zevende|achtste|negende|tiende|honderdste"
    r"|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|hundredth"
)
UNITS = (
    r"punten|punt|uur|uren|minuten|dagen|dag|weken|maanden|jaar|jaren|eeuw|procent|euro|dollar"
    r"|mensen|personen|doden|slachtoffers|inwoners|landen|km|kilometer|meter|kilo|ton|stemmen"
    r"|zetels|keer|maal"
    r"|points|point|hours|hour|minutes|days|day|weeks|months|years|year|percent|per cent|euros"
    r"|dollars|people|deaths|victims|residents|countries|miles|kilometres|kilometers|tons"
    r"|votes|seats|times"
)


@dataclass(frozen=True)
class Rule:
    code: str
    weight: float
    pattern: re.Pattern
    # Where a match does not count (an idiom, an event's name); case-sensitive.
    unless: re.Pattern | None = None

    def fires(self, sentence: str) -> bool:
        if self.unless is None:
            return bool(self.pattern.search(sentence))
        spans = [(m.start(), m.end()) for m in self.unless.finditer(sentence)]
        return any(
            not any(a <= m.start() < b for a, b in spans) for m in self.pattern.finditer(sentence)
        )


def _rule(code: str, weight: float, pattern: str, unless: str = "") -> Rule:
    return Rule(
        code, weight, re.compile(pattern, re.IGNORECASE), re.compile(unless) if unless else None
    )


WEEKDAYS_NAME = (
    r"Maandag|Dinsdag|Woensdag|Donderdag|Vrijdag|Zaterdag|Zondag"
    r"|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
)


DIGITS = r"\d+(?:[.,]\d+)*"
RULES: tuple[Rule, ...] = (
    _rule("number", 1.0, rf"(?<![\w-]){DIGITS}|\b(?:{NUMBER_WORDS})\b(?=\s+\w)"),
    _rule("percentage", 1.0, rf"{DIGITS}\s*%|\b(?:procent|percent|per cent|procentpunt)\b"),
    _rule(
        "date",
        1.0,
        rf"\b\d{{1,2}}\s+(?:{MONTHS})\b|\b(?:{MONTHS})\s+(?:\d{{1,2}},?\s+)?(?:1[89]|20)\d\d\b"
        r"|\b(?:in|sinds|since|sedert|vanaf|tot|until|van|from)\s+(?:1[89]|20)\d\d\b"
        r"|\b(?:maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|monday|tuesday"
        r"|wednesday|thursday|friday|saturday|sunday)\b",
        # An event's name is no date: Roze Zaterdag, Goede Vrijdag, Black Friday.
        unless=rf"\b[A-Z][\w-]*\s+(?:{WEEKDAYS_NAME})\b",
    ),
    _rule(
        "quantity",
        0.5,
        rf"(?:{DIGITS}|\b(?:{NUMBER_WORDS}))(?:\s+tot\s+{DIGITS}|\s+to\s+{DIGITS})?"
        rf"[\s-]*(?:{UNITS})",
    ),
    _rule("ordinal", 0.5, rf"\b(?:{ORDINALS})\b|\b\d+(?:ste|de|e|st|nd|rd|th)\b"),
    _rule(
        "quote",
        0.5,
        r"[\"“”„][^\"“”„]{3,}[\"“”„]|,,[^']{3,}''|(?<!\w)'[^']{3,}'(?!\w)|‘[^’]{3,}’",
    ),
    _rule(
        "attribution",
        1.0,
        r"\b(?:merkte|merkt)\s+op\b|\b(?:zei|zeiden|zegt|zeggen|volgens|verklaarde|verklaarden"
        r"|bevestigde|bevestigden|meldde|meldden|stelde|stelden|stellen|beweerde|beweert"
        r"|waarschuwde|beschuldigde|karakteriseerde|benadrukte|aldus|kondigde)\b"
        r"|\b(?:said|says|according to|stated|claimed|claims|confirmed|reported|warned"
        r"|announced|told|insisted|argued)\b",
        # Idioms with "stellen" that report nobody's words: "aan de kaak stellen" (to
        # denounce), "aan de orde stellen", "stelde ... op" (a line-up), "stelde ... voor".
        unless=r"\baan de (?:kaak|orde)\s+(?:te\s+)?stel\w*"
        r"|\bstel\w*(?:\s+[^\s.,;:]+){0,6}\s+aan de (?:kaak|orde)\b"
        r"|\bstelden?\b(?!\s+(?:dat|:))(?:\s+[^\s.,;:]+){1,8}?\s+(?:op|voor)\b"
        r"(?!\s+(?:de|het|een|die|dat|deze|\d))",
    ),
    _rule(
        "comparison",
        0.75,
        r"\b(?:meer|minder|vaker|groter|kleiner|hoger|lager|sneller|langer|korter|duurder"
        r"|goedkoper|beter|slechter)\s+dan\b|\b\w+(?:ste)\b(?<!\bbeste)(?<!\bmeeste)"
        r"|\b(?:grootste|kleinste|hoogste|laagste|meeste|beste|slechtste|eerste keer|record)\b"
        r"|\b(?:more|less|fewer|higher|lower|bigger|smaller|larger|greater|faster|cheaper"
        r"|better|worse)\s+than\b|\b(?:largest|biggest|smallest|highest|lowest|most|least"
        r"|best|worst|fastest|record)\b",
    ),
    _rule(
        "approximation",
        0.5,
        r"\b(?:circa|ongeveer|bijna|ruim|zo'n|tenminste|minstens|nagenoeg|rond de"
        r"|nearly|almost|about|approximately|roughly|around|at least|more than)\b",
    ),
)
# A sentence that asks is not a claim; a fragment is too short to check.
QUESTION = re.compile(r"\?\s*['\"”’]*\s*$")
MIN_WORDS = 6

# Sentence ends: . ! ? (and closing quotes) followed by space and a capital, digit or quote;
# not after a common abbreviation or an initial.
SENTENCE_END = re.compile(r"(?<=[.!?…])(\s*''|['\"”’)])?\s+(?=[\"“‘'(,A-ZÀ-ÝŒ0-9])")
ABBREVIATIONS = {
    "dr", "mr", "mrs", "ms", "prof", "ir", "ing", "drs", "mw", "dhr", "st", "vs", "bijv",
    "o.a", "e.a", "m.a.w", "i.p.v", "d.w.z", "jr", "sr", "nr", "no", "ca", "resp", "etc",
    "u.s", "e.g", "i.e", "gen", "col", "lt", "sgt", "gov", "sen", "rep",
}  # fmt: skip


@dataclass(frozen=True)
class SentenceScore:
    start: int
    end: int
    text: str
    score: float
    reasons: list[str] = field(default_factory=list)
    claimant: str = ""


# Who is quoted: "Oesjakov merkte op", "zei Poetin", "volgens minister Bruins",
# "Trump said", "according to the WHO". A name is one to four capitalised words (with
# Dutch particles: van, de, der, den, ter, ten), possibly after a title.
_PARTICLES = r"(?:van|de|der|den|ter|ten|von|la|le|du|da|di|bin|al)"
_CAP = r"[A-ZÀ-ÝŒ][\w'’.-]*"
NAME = rf"{_CAP}(?:\s+(?:{_PARTICLES}\s+)*{_CAP}){{0,3}}"
TITLES = (
    r"(?:de\s+|het\s+)?(?:minister|staatssecretaris|president|premier|burgemeester|woordvoerder"
    r"|topman|directeur|voorzitter|hoogleraar|wethouder|senator|generaal|bondscoach|trainer"
    r"|fractievoorzitter|ambassadeur|advocaat|officier van justitie|minister-president)"
)
SAY = (
    r"zei|zegt|zeiden|zeggen|verklaarde|verklaarden|meldde|meldden|beweerde|beweert|stelde"
    r"|stelt|benadrukte|waarschuwde|liet weten|schreef|schrijft|vertelde|vertelt|antwoordde"
    r"|bevestigde|erkende|ontkende|concludeerde|said|says|stated|claimed|told|wrote|warned"
)
CLAIMANT_RULES = (
    re.compile(rf"\b(?i:volgens|according to)\s+(?:{TITLES}\s+)?(?P<name>{NAME})"),
    re.compile(rf"(?P<name>{NAME})\s+(?:merkte|merkt)\s+(?:\w+\s+){{0,3}}op\b"),
    re.compile(rf"[,:]\s*(?:{SAY})\s+(?:{TITLES}\s+)?(?P<name>{NAME})"),
    re.compile(rf"(?:^|[,;]\s*|[\"”’']\s*)(?:{TITLES}\s+)?(?P<name>{NAME})\s+(?:{SAY})\b"),
)
NOT_NAMES = {
    "de", "het", "een", "hij", "zij", "ze", "wij", "we", "ik", "dat", "dit", "die", "er", "ook",
    "maar", "en", "toen", "nu", "daarna", "later", "he", "she", "they", "it", "the", "this",
    "that", "i", "in", "op", "bij", "na", "volgens", "wie", "wat", "zo",
}  # fmt: skip


def sentence_claimant(sentence: str) -> str:
    """Whose words the sentence reports, from a reporting verb, or "" when it names
    nobody (a pronoun is nobody: the editor fills it in)."""
    for pattern in CLAIMANT_RULES:
        for match in pattern.finditer(sentence):
            name = match.group("name").strip(" .,'’")
            words = name.split()
            while words and words[0].lower() in NOT_NAMES:
                words = words[1:]
            if not words or words[0][:1].islower():
                continue
            return " ".join(words)[:200]
    return ""


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in ``text``, without surrounding space."""
    spans, start = [], 0
    for match in SENTENCE_END.finditer(text):
        before = text[start : match.start()].rstrip(".!?…'\"”’)")
        last_word = before.rsplit(None, 1)[-1].lower() if before.split() else ""
        if last_word in ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
            continue
        spans.append((start, match.end(1) if match.group(1) else match.start()))
        start = match.end()
    spans.append((start, len(text)))
    result: list[tuple[int, int]] = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e <= s:
            continue
        if result and not any(ch.isalnum() for ch in text[s:e]):
            result[-1] = (result[-1][0], e)  # a closing quote on its own joins its sentence
        else:
            result.append((s, e))
    return result


def sentence_score(sentence: str) -> tuple[float, list[str]]:
    """The check-worthiness of one sentence and the rules that fired."""
    score, reasons = 0.0, []
    for rule in RULES:
        if rule.fires(sentence):
            score += rule.weight
            reasons.append(rule.code)
    if len(sentence.split()) < MIN_WORDS:
        score -= 1.0
    if QUESTION.search(sentence):
        score -= 1.5
    return round(score, 2), reasons


def text_suggestions(text: str, *, min_score: float) -> list[SentenceScore]:
    """Every sentence of ``text`` that scores at least ``min_score``."""
    found = []
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        score, reasons = sentence_score(sentence)
        if score >= min_score:
            found.append(
                SentenceScore(start, end, sentence, score, reasons, sentence_claimant(sentence))
            )
    return found

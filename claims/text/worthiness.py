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


def _rule(code: str, weight: float, pattern: str) -> Rule:
    return Rule(code, weight, re.compile(pattern, re.IGNORECASE))


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
        if rule.pattern.search(sentence):
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
            found.append(SentenceScore(start, end, sentence, score, reasons))
    return found

"""Do two claims say the same thing? A score from 0 to 1, pure and without the database.

The score starts from text similarity (rapidfuzz: the mean of token-sort and token-set
ratios, so reordered or slightly shortened wording still scores high) and is moved by
what fact-checkers look at first: the same claimant, and the same numbers and dates. Two
claims with different numbers ("20%" against "18%") are different claims however alike
the words. The thresholds that turn a score into "possibly the same" or "the same" are
settings (``FACTCHECK_MATCH_SUGGEST``, ``FACTCHECK_MATCH_LINK``); the test table of pairs
is ``tests/test_matching.py``. Finding candidates to score is the database's job
(trigram similarity on PostgreSQL): see ``services.claim_match_candidates``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
WORD_RE = re.compile(r"\w+")
NUMBER_WORDS = {
    "één": "1", "twee": "2", "drie": "3", "vier": "4", "vijf": "5", "zes": "6", "zeven": "7",
    "acht": "8", "negen": "9", "tien": "10", "one": "1", "two": "2", "three": "3",
    "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
    "ten": "10", "twintig": "20", "twenty": "20", "honderd": "100", "hundred": "100",
}  # fmt: skip

STOPWORDS = frozenset(
    """de het een en van in op te dat die is was zijn werd worden met voor aan door bij om als
    naar er ook maar nog dan of uit over tot wel zo the a an and of in on to that this is was
    are were be been by for with at as from or it its than but""".split()  # noqa: SIM905
)
NEGATIONS = frozenset(["niet", "geen", "nooit", "niets", "not", "no", "never", "nothing", "nor"])

CLAIMANT_BONUS = 0.1
CLAIMANT_PENALTY = 0.1
NUMBERS_BONUS = 0.1
NUMBERS_PENALTY = 0.4
NEGATION_PENALTY = 0.25


def text_fold(text: str) -> str:
    """Lower case, accents and punctuation off, one space between words."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(WORD_RE.findall(text))


def text_numbers(text: str) -> frozenset[str]:
    """The numbers a text states, "1.000" and "1,000" alike, written numbers included."""
    numbers = {re.sub(r"[.,](?=\d{3}\b)", "", n).replace(",", ".") for n in NUMBER_RE.findall(text)}
    numbers |= {NUMBER_WORDS[w] for w in WORD_RE.findall(text.casefold()) if w in NUMBER_WORDS}
    return frozenset(numbers)


@dataclass(frozen=True)
class ClaimText:
    """What matching compares: the folded text, its numbers, the folded claimant."""

    text: str
    words: frozenset[str]
    numbers: frozenset[str]
    claimant: str
    negated: bool

    @classmethod
    def of(cls, text: str, claimant: str = "") -> ClaimText:
        folded = text_fold(text)
        tokens = folded.split()
        words = frozenset(word_stem(w) for w in tokens if w not in STOPWORDS | NEGATIONS)
        negated = any(w in NEGATIONS for w in tokens)
        return cls(folded, words, text_numbers(text), text_fold(claimant), negated)


def word_stem(word: str) -> str:
    """A crude stem for Dutch and English plurals: enough to make "vaccine" meet "vaccines"."""
    for suffix in ("en", "es", "s"):
        if len(word) > 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def match_score(a: ClaimText, b: ClaimText) -> float:
    """How likely ``a`` and ``b`` state the same claim, from 0 to 1."""
    if not a.text or not b.text:
        return 0.0
    words = len(a.words & b.words) / len(a.words | b.words) if a.words | b.words else 0.0
    score = 0.5 * fuzz.token_sort_ratio(a.text, b.text) / 100 + 0.5 * words
    # Both texts agreeing wholly (one a subset of the other) is strong evidence.
    score = max(score, 0.9 * fuzz.token_set_ratio(a.text, b.text) / 100 * (0.5 + 0.5 * words))
    if a.negated != b.negated:
        score -= NEGATION_PENALTY
    if a.numbers and b.numbers:
        overlap = len(a.numbers & b.numbers) / len(a.numbers | b.numbers)
        score += NUMBERS_BONUS * overlap if overlap else -NUMBERS_PENALTY
    if a.claimant and b.claimant:
        same = fuzz.token_set_ratio(a.claimant, b.claimant) >= 90
        score += CLAIMANT_BONUS if same else -CLAIMANT_PENALTY
    return round(max(0.0, min(1.0, score)), 3)

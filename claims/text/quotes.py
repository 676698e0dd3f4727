"""Quoted passages: does a source say what a citation quotes it as saying?

Both sides are folded first (case, typographic quotes and dashes, whitespace); an exact
find is "found", else rapidfuzz's best-matching window decides "close" or "not found".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2033": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u00ad": "",
    }
)
_SPACE = re.compile(r"\s+")


def quote_normalise(text: str) -> str:
    """Fold case, typographic quotes and dashes, and whitespace, for comparing passages."""
    text = unicodedata.normalize("NFKC", text or "").translate(_QUOTES).casefold()
    return _SPACE.sub(" ", text).strip()


@dataclass
class QuoteMatch:
    status: str  # "found", "close" or "not_found" (Citation.QuoteStatus values)
    score: float  # 100 for an exact match, else rapidfuzz's partial ratio


def quote_match(quote: str, *texts: str, close_score: float) -> QuoteMatch:
    """Is ``quote`` in the first of ``texts`` that has it? Exactly after normalising,
    close (the best-matching window scores at least ``close_score``), or not found."""
    # Quote marks around the passage are the editor's, not the source's.
    needle = quote_normalise(quote).strip(" \"'")
    best = 0.0
    for text in texts:
        haystack = quote_normalise(text)
        if not needle or not haystack:
            continue
        if needle in haystack:
            return QuoteMatch("found", 100.0)
        best = max(best, round(fuzz.partial_ratio(needle, haystack), 1))
    return QuoteMatch("close" if best >= close_score else "not_found", best)

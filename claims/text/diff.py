"""What a text said and says now, word by word (the standard library's difflib).

``word_diff`` splits both texts into words and the spaces between them, and returns the
two sides: ``before`` (what stayed, and what was removed) and ``after`` (what stayed, and
what was added), each a list of ``(text, changed)`` pieces. Shown side by side, with the
changed words marked (``<del>``/``<ins>`` and words for screen readers), a reader sees
the correction without needing colour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class WordDiff:
    before: list[tuple[str, bool]]
    after: list[tuple[str, bool]]

    @property
    def removed(self) -> list[str]:
        return [text for text, changed in self.before if changed and text.strip()]

    @property
    def added(self) -> list[str]:
        return [text for text, changed in self.after if changed and text.strip()]


def _pieces(tokens: list[str], changed: bool) -> list[tuple[str, bool]]:
    return [("".join(tokens), changed)] if tokens else []


def word_diff(before: str, after: str, *, context: int | None = None) -> WordDiff:
    """The two sides of a change, word by word; runs of changed words are one piece.
    With ``context``, unchanged text further than that many characters from a change is
    left out ("…"), so a one-word fix in a long paragraph reads as one sentence."""
    old, new = TOKEN.findall(before), TOKEN.findall(after)
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    left: list[tuple[str, bool]] = []
    right: list[tuple[str, bool]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        same = tag == "equal"
        left += _pieces(old[i1:i2], not same)
        right += _pieces(new[j1:j2], not same)
    left, right = _merged(left), _merged(right)
    if context is not None:
        left, right = _trimmed(left, context), _trimmed(right, context)
    return WordDiff(left, right)


def _trimmed(pieces: list[tuple[str, bool]], context: int) -> list[tuple[str, bool]]:
    """Unchanged pieces cut to ``context`` characters on the side of each change, at a
    word boundary."""
    if not any(changed for _text, changed in pieces):
        return pieces
    out = []
    last = len(pieces) - 1
    for n, (text, changed) in enumerate(pieces):
        if changed or len(text) <= 2 * context:
            out.append((text, changed))
            continue
        head = text[:context].rsplit(" ", 1)[0] if n > 0 else ""  # after a change
        tail = text[-context:].split(" ", 1)[-1] if n < last else ""  # before a change
        out.append(
            (
                " … ".join(part for part in ("" if n == 0 else head, tail) if part)
                if 0 < n < last
                else (f"{head} …" if n > 0 else f"… {tail}"),
                False,
            )
        )
    return out


def _merged(pieces: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Neighbouring pieces of the same kind as one; a space between two changed pieces
    joins them, so "in mei 2025" reads as one change, not two."""
    out: list[tuple[str, bool]] = []
    for text, changed in pieces:
        if out and out[-1][1] == changed:
            out[-1] = (out[-1][0] + text, changed)
        else:
            out.append((text, changed))
    joined: list[tuple[str, bool]] = []
    for piece in out:
        if (
            len(joined) >= 2
            and piece[1]
            and joined[-2][1]
            and not joined[-1][1]
            and not joined[-1][0].strip()
        ):
            space = joined.pop()
            joined[-1] = (joined[-1][0] + space[0] + piece[0], True)
        else:
            joined.append(piece)
    return joined


def word_diff_text(before: str, after: str) -> str:
    """The change in plain words, for feeds and structured data: what was removed and
    what was added, in quotes."""
    diff = word_diff(before, after)
    removed = " … ".join(piece.strip() for piece in diff.removed)
    added = " … ".join(piece.strip() for piece in diff.added)
    return f"“{removed}” → “{added}”"

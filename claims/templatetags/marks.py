"""Paragraph text with spans marked: checked claims on the public article page (each a
link to its claim page), suggestions on the editor desk."""

from __future__ import annotations

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from claims.text.diff import word_diff

register = template.Library()


def _spans(items) -> list:
    """Non-overlapping spans, earliest first; a span inside an earlier one is skipped."""
    chosen, end = [], -1
    for item in sorted(items, key=lambda i: (i.start, -(i.end or 0))):
        if item.start is None or item.end is None or item.start < end:
            continue
        chosen.append(item)
        end = item.end
    return chosen


@register.simple_tag
def marked_text(text: str, items, kind: str = "claim") -> SafeString:
    """``text`` escaped, with each item's [start, end) wrapped. ``kind="claim"``: items are
    ClaimAppearances whose claim is public; ``kind="suggestion"``: ClaimSuggestions."""
    out, pos = [], 0
    for item in _spans(items):
        if item.end > len(text):
            continue
        out.append(escape(text[pos : item.start]))
        inner = escape(text[item.start : item.end])
        if kind == "claim":
            out.append(
                format_html(
                    '<a class="claim-mark" href="{}" data-claim="{}" title="{}">'
                    "<mark>{}</mark></a>",
                    item.claim.get_absolute_url(),
                    item.claim_id,
                    item.claim.text,
                    inner,
                )
            )
        else:
            out.append(
                format_html(
                    '<mark class="suggestion" id="suggestion-mark-{}" title="{}">{}</mark>',
                    item.pk,
                    ", ".join(item.reasons),
                    inner,
                )
            )
        pos = item.end
    out.append(escape(text[pos:]))
    return mark_safe("".join(str(part) for part in out))  # noqa: S308 - every part is escaped


def _side(pieces, tag: str, label: str) -> SafeString:
    out = []
    for text, changed in pieces:
        if changed:
            out.append(
                format_html(
                    '<{tag}><span class="visually-hidden">{label} </span>{text}</{tag}>',
                    tag=mark_safe(tag),  # noqa: S308  ("del" or "ins")
                    label=label,
                    text=text,
                )
            )
        else:
            out.append(escape(text))
    return mark_safe("".join(out))  # noqa: S308  (every piece escaped above)


@register.inclusion_tag("text_change.html")
def text_change(change: dict) -> dict:
    """A paragraph's change as readers see it: what the text said (removed words struck
    through) and what it says now (added words underlined), each side labelled, so it
    reads without colour. ``change``: ``{"before": ..., "after": ...}``."""
    diff = word_diff(change.get("before", ""), change.get("after", ""), context=80)
    return {
        "before": _side(diff.before, "del", _("removed:")) if change.get("before") else "",
        "after": _side(diff.after, "ins", _("added:")) if change.get("after") else "",
    }

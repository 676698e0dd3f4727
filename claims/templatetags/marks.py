"""Paragraph text with spans marked: checked claims on the public article page (each a
link to its claim page), suggestions on the editor desk."""

from __future__ import annotations

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

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

"""Labels for the codes people see: a fetch's outcome (``dns``, ``refused_address``,
``ok``...) in the page's language, never the raw code."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# The codes of claims/fetch.py (ERROR_CODES) and "ok"; tests check that every code
# has a label.
FETCH_LABELS = {
    "ok": _("reachable"),
    "refused_address": _("not on the public internet"),
    "bad_scheme": _("not a web link"),
    "bad_url": _("not a valid web address"),
    "dns": _("domain name not found"),
    "timeout": _("no answer in time"),
    "too_large": _("page too large"),
    "bad_type": _("not a web page or PDF"),
    "http_4xx": _("page not found or not allowed"),
    "http_429": _("the site asked us to slow down"),
    "http_5xx": _("server error at the site"),
    "robots": _("the site does not allow checking"),
    "tls": _("secure connection failed"),
    "too_many_redirects": _("too many redirects"),
    "connection": _("could not connect"),
    "bad_response": _("unreadable answer"),
    "busy": _("postponed: the site is busy"),
}


@register.filter
def fetch_label(code: str | None) -> str:
    """A fetch outcome in the page's language; an unknown code says so plainly."""
    if not code:
        return ""
    label = FETCH_LABELS.get(code)
    return str(label) if label is not None else str(_("other error"))


# The check-worthiness rules that fired for a suggested sentence (claims/text/worthiness.py).
SUGGESTION_REASONS = {
    "number": _("number"),
    "percentage": _("percentage"),
    "date": _("date"),
    "quantity": _("quantity"),
    "ordinal": _("ordinal"),
    "quote": _("quotation"),
    "attribution": _("attribution"),
    "comparison": _("comparison"),
    "approximation": _("approximation"),
}


@register.filter
def suggestion_reasons(codes) -> str:
    """The rules that fired, in the page's language, comma-separated."""
    return ", ".join(str(SUGGESTION_REASONS.get(code, code)) for code in codes or [])

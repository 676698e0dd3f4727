"""Evidence on pages: Robust Links dates, and readable words for the web archive's
error codes (no page shows a raw code; the fetcher's codes are in ``labels``)."""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.utils.translation import gettext_lazy as _

from claims.templatetags.labels import FETCH_LABELS

register = template.Library()

# The web archive's (Save Page Now 2) codes, grouped into what an editor can act on.
ARCHIVE_ERRORS = {
    "error:blocked": _("the site blocks the archive"),
    "error:blocked-url": _("the archive does not capture this address"),
    "error:blocked-client-ip": _("the archive refuses our server"),
    "error:no-access": _("the site refused the archive (403)"),
    "error:not-found": _("the archive found no page there (404)"),
    "error:unauthorized": _("the page needs a login"),
    "error:network-authentication-required": _("the page needs a login"),
    "error:invalid-url-syntax": _("the archive cannot read this address"),
    "error:invalid-host-resolution": _("the archive could not find the domain"),
    "error:invalid-server-response": _("the site gave the archive an unreadable answer"),
    "error:filesize-limit": _("too large for the archive"),
    "error:too-many-redirects": _("too many redirects for the archive"),
    "error:too-many-daily-captures": _("the archive made its daily maximum of copies"),
    "error:too-many-requests": _("the site asked the archive to slow down"),
    "error:user-session-limit": _("the archive is busy with our other requests"),
    "job_timeout": _("the archive did not finish in time"),
    "archive_off": _("archiving is switched off"),
}


@register.filter
def robust_date(value) -> str:
    """A datetime as Robust Links' ``data-versiondate`` wants it: ISO 8601 in UTC."""
    if not isinstance(value, datetime):
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@register.filter
def archive_error_label(code: str) -> str:
    """The archive's typed errors by name; its passing trouble (overload, timeouts) and
    ours (a refused request) in a few words."""
    if not code:
        return ""
    if code in ARCHIVE_ERRORS:
        return str(ARCHIVE_ERRORS[code])
    if code in FETCH_LABELS:
        return str(_("could not reach the archive: %(reason)s") % {"reason": FETCH_LABELS[code]})
    if code.startswith("error:"):
        return str(_("the archive had trouble (overloaded or too slow)"))
    return str(_("the archive could not make a copy"))

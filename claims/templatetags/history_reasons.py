"""Change-history reasons in the reader's language.

Services write each reason in English: a stable record that reads the same whatever
language the request or worker ran in, and that the admin can search. Pages that show
history pass it through ``history_reason``, which translates the reasons the services
write and leaves any other text as it is.
"""

from __future__ import annotations

import re

from django import template
from django.utils.translation import gettext_lazy as _

from claims.models import Source
from claims.templatetags.labels import fetch_label

register = template.Library()

FIXED = {
    # claims and verdicts (services/claims.py)
    "created": _("created"),
    "edited": _("edited"),
    "unassigned": _("unassigned"),
    "draft written": _("draft written"),
    "draft edited": _("draft edited"),
    "sent for review": _("sent for review"),
    "verdict in review": _("verdict in review"),
    "sent back": _("sent back"),
    "published": _("published"),
    "unpublished": _("unpublished"),
    "verdict published": _("verdict published"),
    # sources (services/sources.py)
    "fetched": _("fetched"),
    "text changed": _("text changed"),
    "fetch postponed: host busy": _("fetch postponed: host busy"),
    "URL set": _("URL set"),
    "marked permanently dead": _("marked permanently dead"),
    # reports (services/reports.py)
    "claimed": _("claimed"),
    "claimed after an expired lease": _("claimed after an expired lease"),
    "released": _("released"),
    "accepted": _("accepted"),
    "rejected": _("rejected"),
    "spam": _("spam"),
    "reporter blocked": _("reporter blocked"),
    "reader answered": _("reader answered"),
    "asked the reader for more information": _("asked the reader for more information"),
    "no answer from the reader": _("no answer from the reader"),
    "marked as spam by a moderator": _("marked as spam by a moderator"),
    "marked as not spam by a moderator": _("marked as not spam by a moderator"),
    "released from the blocked list by a moderator": _(
        "released from the blocked list by a moderator"
    ),
    "name and email erased at the reader's request": _(
        "name and email erased at the reader's request"
    ),
}

PATTERNS = [
    (re.compile(r"assigned to (?P<user>.+)"), _("assigned to %(user)s")),
    (re.compile(r"sent back: (?P<note>.+)", re.S), _("sent back: %(note)s")),
    (re.compile(r"superseded by verdict (?P<pk>\d+)"), _("superseded by verdict %(pk)s")),
    (re.compile(r"new version of (?P<scale>.+)"), _("new version of %(scale)s")),
    (re.compile(r"fetch started \(was (?P<state>\w+)\)"), _("fetch started (was %(state)s)")),
    (re.compile(r"fetch failed: (?P<code>\w+)"), _("fetch failed: %(code)s")),
    (re.compile(r"merged into source (?P<pk>\d+)"), _("merged into source %(pk)s")),
    (re.compile(r"source (?P<pk>\d+) cited"), _("source %(pk)s cited")),
    (
        re.compile(r"quoted passage of source (?P<pk>\d+) changed"),
        _("quoted passage of source %(pk)s changed"),
    ),
    (re.compile(r"source (?P<pk>\d+) no longer cited"), _("source %(pk)s no longer cited")),
    (re.compile(r"claim (?P<pk>\d+) merged into this one"), _("claim %(pk)s merged into this one")),
    (re.compile(r"merged into claim (?P<pk>\d+)"), _("merged into claim %(pk)s")),
    (re.compile(r"text changed: version (?P<n>\d+)"), _("text changed: version %(n)s")),
    (
        re.compile(r"its passage is gone from the article in version (?P<n>\d+)"),
        _("its passage is gone from the article in version %(n)s"),
    ),
    (re.compile(r"duplicate of (?P<pk>\d+)"), _("duplicate of report #%(pk)s")),
    (
        re.compile(r"name and email erased: retention period of (?P<days>\d+) days ended"),
        _("name and email erased: retention period of %(days)s days ended"),
    ),
]


@register.filter
def history_reason(reason: str | None) -> str:
    """``reason`` in the active language (plain text: the template escapes it)."""
    if not reason:
        return ""
    if reason in FIXED:
        return str(FIXED[reason])
    for pattern, text in PATTERNS:
        match = pattern.fullmatch(reason)
        if match:
            values = match.groupdict()
            if "state" in values and values["state"] in Source.State.values:
                values["state"] = Source.State(values["state"]).label
            if "code" in values:
                values["code"] = fetch_label(values["code"])
            return str(text) % values
    return reason

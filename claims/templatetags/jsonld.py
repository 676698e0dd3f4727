"""``{% jsonld data %}``: JSON-LD for search engines, as a ``<script type="application/ld+json">``
data block, escaped as Django's ``json_script`` escapes (``<``, ``>`` and ``&`` as unicode
escapes), so no text in the data can close the script element. A data block is not script:
the CSP's script-src does not apply and no browser executes it."""

from __future__ import annotations

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def jsonld(data) -> SafeString:
    if not data:
        return mark_safe("")
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308

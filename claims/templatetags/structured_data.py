"""JSON-LD for search engines, rendered as a data block that no browser executes."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# The escapes of Django's json_script: no "</script>", "<!--" or "&" survive in the data.
_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter(is_safe=True)
def ld_json(value) -> str:
    """``<script type="application/ld+json">`` with ``value`` as JSON, escaped like
    ``json_script``. A data block is not script: the CSP's script-src does not apply."""
    data = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(data))  # noqa: S308

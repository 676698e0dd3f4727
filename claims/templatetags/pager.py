"""``{% pager page %}``: the page links under every list. Each link keeps the request's
other GET parameters (filters, search), so turning a page never drops them."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("pager.html", takes_context=True)
def pager(context, page, *, newest_first: bool = False) -> dict:
    """``newest_first``: the list runs from new to old, so the links say "Newer"/"Older"."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    return {"page": page, "query": query.urlencode(), "newest_first": newest_first}

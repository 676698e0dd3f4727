"""Sources: a source's URL, as editors give it on the source desk or when citing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from claims.text.links import (
    BAD_SCHEME,
    BAD_URL,
    REFUSED_ADDRESS,
    BadLink,
    link_normalise,
    link_refusal,
)

URL_REFUSALS = {
    BAD_SCHEME: _("Enter an http or https address."),
    BAD_URL: _("Enter a web address without a user name or password."),
    REFUSED_ADDRESS: _("This address points into a private network; it cannot be fetched."),
}


def source_url_clean(value: str) -> str:
    """A source's URL in its normal form, refused when it can never be fetched: another
    scheme, a user name or password in it, a private or local address. Only what needs
    no network is checked here; the worker checks the resolved address before fetching."""
    refusal = link_refusal(value)
    if refusal:
        message = URL_REFUSALS.get(
            refusal, _("Enter a web address without a user name or password.")
        )
        raise forms.ValidationError(message, code=refusal)
    try:
        return link_normalise(value)
    except BadLink:
        raise forms.ValidationError(URL_REFUSALS[BAD_SCHEME], code="bad_url") from None


class SourceUrlForm(forms.Form):
    """An editor attaches or changes a source's URL."""

    url = forms.URLField(
        label=_("URL"),
        max_length=2000,
        assume_scheme="https",
        error_messages={"required": _("Enter the address of the source.")},
    )

    def clean_url(self) -> str:
        return source_url_clean(self.cleaned_data["url"])

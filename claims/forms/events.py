"""Following a claim or an article: an email address, and a field only bots fill in."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class FollowForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        error_messages={
            "required": _("Fill in your email address."),
            "invalid": _("This is not an email address; check it for a typo."),
            "max_length": _("An email address is at most 254 characters."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    # A honeypot: hidden from people, filled in by bots.
    website = forms.CharField(required=False, max_length=200, label=_("Leave this empty"))

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

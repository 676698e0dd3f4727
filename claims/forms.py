"""Forms: input checks and size caps only. Writes happen in services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from claims.models import Article, Paragraph


class ReportForm(forms.Form):
    """The "found an error?" form under an article."""

    message = forms.CharField(
        label=_("What is wrong?"),
        max_length=settings.FACTCHECK_REPORT_MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Please tell us what is wrong.")},
    )
    quote = forms.CharField(
        label=_("Quoted passage (optional)"),
        max_length=settings.FACTCHECK_REPORT_QUOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Select text in the article to fill this in."),
    )
    paragraph = forms.ChoiceField(label=_("Where in the article?"), required=False)
    suggestion = forms.CharField(
        label=_("Suggested correction (optional)"),
        max_length=settings.FACTCHECK_REPORT_MESSAGE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    name = forms.CharField(label=_("Your name (optional)"), max_length=100, required=False)
    email = forms.EmailField(label=_("Your email (optional)"), max_length=254, required=False)
    email_consent = forms.BooleanField(
        label=_("You may email me about the outcome of this report."), required=False
    )

    def __init__(self, *args, article: Article, paragraphs: list[tuple[str, int]], **kwargs):
        """``paragraphs``: (anchor, position) of each paragraph of ``article``."""
        super().__init__(*args, **kwargs)
        self.article = article
        self.fields["paragraph"].choices = [("", _("The whole article"))] + [
            (anchor, _("Paragraph %(n)s") % {"n": position}) for anchor, position in paragraphs
        ]

    def clean_message(self) -> str:
        message = self.cleaned_data["message"].strip()
        if not message:
            raise forms.ValidationError(_("Please tell us what is wrong."))
        return message

    def clean(self) -> dict:
        data = super().clean()
        if data.get("email") and not data.get("email_consent"):
            self.add_error(
                "email_consent",
                _("Tick this box if we may email you, or leave the email field empty."),
            )
        return data

    @property
    def paragraph_obj(self) -> Paragraph | None:
        anchor = self.cleaned_data.get("paragraph")
        return self.article.paragraphs.filter(anchor=anchor).first() if anchor else None


class SourceUrlForm(forms.Form):
    """An editor attaches or changes a source's URL."""

    url = forms.URLField(
        label=_("URL"),
        max_length=2000,
        assume_scheme="https",
        error_messages={"required": _("Enter the address of the source.")},
    )

    def clean_url(self) -> str:
        from claims.fetch import REFUSED_ADDRESS, url_refusal
        from claims.links import BadLink, link_normalise

        try:
            url = link_normalise(self.cleaned_data["url"])
        except BadLink:
            raise forms.ValidationError(_("Enter an http or https address.")) from None
        if url_refusal(url) == REFUSED_ADDRESS:
            raise forms.ValidationError(
                _("This address points into a private network; it cannot be fetched.")
            )
        return url

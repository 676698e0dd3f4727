"""Forms: input checks and size caps only. Writes happen in services."""

from __future__ import annotations

import re
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from claims.fetch import BAD_SCHEME, BAD_URL, DNS, REFUSED_ADDRESS, url_refusal
from claims.links import URL_MAX_LENGTH, BadLink, link_normalise
from claims.models import Article, Claim, Correction, Language, Paragraph, Report

STARTED_SALT = "claims.report-form.started"
SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*:(?!\d)", re.IGNORECASE)


def report_form_token(started: float | None = None) -> str:
    """A signed note of when the form was served: the minimum fill time is measured
    from it. ``started`` backdates it (tests)."""
    return signing.dumps(int(started if started is not None else time.time()), salt=STARTED_SALT)


def report_form_age(token: str) -> float:
    """Seconds since the form was served; raises signing.BadSignature (incl. expired)."""
    max_age = settings.FACTCHECK_REPORT_FORM_MAX_AGE_HOURS * 3600
    started = signing.loads(token, salt=STARTED_SALT, max_age=max_age)
    age = time.time() - int(started)
    if age > max_age:
        raise signing.SignatureExpired(f"the form was served {age:.0f} s ago")
    return age


# Why an evidence link is refused, in the reader's words.
EVIDENCE_REFUSALS = {
    BAD_SCHEME: _("Only web links (http or https) can be used as evidence."),
    BAD_URL: _("This does not look like a web address."),
    REFUSED_ADDRESS: _("This address is not on the public internet."),
}


def evidence_url_clean(value: str) -> str:
    """Normalise a reader's evidence link and vet it with the fetch module's address
    checks (DNS is resolved; nothing is fetched). A name that does not resolve right
    now is kept: the source pipeline checks it again before any connection."""
    value = value.strip()
    if not value:
        return ""
    if not SCHEME_RE.match(value):
        value = "https://" + value  # "www.example.org/x" as people type it
    if value.split(":", 1)[0].lower() not in {"http", "https"}:
        raise forms.ValidationError(EVIDENCE_REFUSALS[BAD_SCHEME], code=BAD_SCHEME)
    try:
        url = link_normalise(value)
    except BadLink:
        raise forms.ValidationError(EVIDENCE_REFUSALS[BAD_URL], code="bad_url") from None
    refusal = url_refusal(url)
    if refusal and refusal != DNS:
        message = EVIDENCE_REFUSALS.get(refusal, EVIDENCE_REFUSALS[BAD_URL])
        raise forms.ValidationError(message, code=refusal)
    return url


def evidence_field(label) -> forms.CharField:
    """One evidence link: checked by ``evidence_url_clean`` in ``ReportForm.clean``."""
    return forms.CharField(
        label=label,
        max_length=URL_MAX_LENGTH,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
    )


class ReportForm(forms.Form):
    """The "found an error?" form under an article.

    Besides the reader's fields it carries two bot traps: ``website`` is a honeypot
    that people never see (a report with it filled in is filed as spam, and the sender
    thanked as usual), and ``started`` is a signed time stamp: a form sent within
    FACTCHECK_REPORT_MIN_FILL_SECONDS is refused with a friendly request to send again.
    """

    message = forms.CharField(
        label=_("What is wrong?"),
        max_length=settings.FACTCHECK_REPORT_MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Please tell us what is wrong.")},
    )
    paragraph = forms.ChoiceField(label=_("Where in the article?"), required=False)
    claim = forms.TypedChoiceField(
        label=_("About a checked claim? (optional)"),
        required=False,
        coerce=int,
        empty_value=None,
    )
    quote = forms.CharField(
        label=_("Quoted passage (optional)"),
        max_length=settings.FACTCHECK_REPORT_QUOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Select text in the article to fill this in."),
    )
    suggestion = forms.CharField(
        label=_("Suggested correction (optional)"),
        max_length=settings.FACTCHECK_REPORT_MESSAGE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    evidence_1 = evidence_field(_("Evidence link 1"))
    evidence_2 = evidence_field(_("Evidence link 2"))
    evidence_3 = evidence_field(_("Evidence link 3"))
    name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=settings.FACTCHECK_REPORT_NAME_MAX,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your email (optional)"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    email_consent = forms.BooleanField(
        label=_("You may email me about the outcome of this report."), required=False
    )
    # Bot traps (see the class docstring).
    website = forms.CharField(
        label=_("Leave this field empty"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)

    EVIDENCE_FIELDS = ("evidence_1", "evidence_2", "evidence_3")
    # How the template groups the visible fields.
    ABOUT_FIELDS = ("message", "paragraph", "claim", "quote", "suggestion")
    CONTACT_FIELDS = ("name", "email", "email_consent")

    def __init__(
        self,
        *args,
        article: Article,
        paragraphs: list[tuple[str, int]],
        claims: list[tuple[int, str]] = (),
        started: str | None = None,
        **kwargs,
    ):
        """``paragraphs``: (anchor, position) of each paragraph of ``article``;
        ``claims``: (id, text) of its public claims; ``started``: the token to render
        (a placeholder in the cached blank form), else a fresh one."""
        super().__init__(*args, **kwargs)
        self.article = article
        self.fields["paragraph"].choices = [("", _("The whole article"))] + [
            (anchor, _("Paragraph %(n)s") % {"n": position}) for anchor, position in paragraphs
        ]
        self.fields["claim"].choices = [("", _("No particular claim"))] + [
            (pk, Truncator(text).chars(90)) for pk, text in claims
        ]
        if not claims:
            self.fields["claim"].widget = forms.HiddenInput()
        if not self.is_bound:  # a bound form renders the token it was sent with
            self.fields["started"].initial = started or report_form_token()
        self.too_fast = False

    def clean_message(self) -> str:
        message = self.cleaned_data["message"].strip()
        if not message:
            raise forms.ValidationError(_("Please tell us what is wrong."))
        return message

    def clean_started(self) -> str:
        token = self.cleaned_data.get("started", "")
        try:
            age = report_form_age(token)
        except signing.BadSignature:
            self._started_renew()
            raise forms.ValidationError(
                _(
                    "This form was open for a long time. "
                    "Please check your report and send it again."
                ),
                code="expired",
            ) from None
        if age < settings.FACTCHECK_REPORT_MIN_FILL_SECONDS:
            self.too_fast = True
            raise forms.ValidationError(
                _("That was quick! Please check your report and send it again."), code="too_fast"
            )
        return token

    def _started_renew(self) -> None:
        """The re-rendered form carries a fresh token."""
        self.data = self.data.copy()
        self.data[self.add_prefix("started")] = report_form_token()

    def clean(self) -> dict:
        data = super().clean()
        if data.get("email") and not data.get("email_consent"):
            self.add_error(
                "email_consent",
                _("Tick this box if we may email you, or leave the email field empty."),
            )
        urls = []
        for name in self.EVIDENCE_FIELDS:
            try:
                url = evidence_url_clean(data.get(name) or "")
            except forms.ValidationError as error:
                self.add_error(name, error)
                continue
            if url and url not in urls:
                urls.append(url)
        data["evidence_urls"] = urls
        return data

    def about_fields(self):
        return [self[name] for name in self.ABOUT_FIELDS if not self[name].is_hidden]

    def evidence_fields(self):
        return [self[name] for name in self.EVIDENCE_FIELDS]

    def contact_fields(self):
        return [self[name] for name in self.CONTACT_FIELDS]

    @property
    def paragraph_obj(self) -> Paragraph | None:
        anchor = self.cleaned_data.get("paragraph")
        return self.article.paragraphs.filter(anchor=anchor).first() if anchor else None

    @property
    def claim_obj(self) -> Claim | None:
        pk = self.cleaned_data.get("claim")
        return Claim.objects.filter(pk=pk).first() if pk else None

    @property
    def is_bot(self) -> bool:
        """The honeypot was filled in: a person never sees that field."""
        return bool(self.cleaned_data.get("website"))


class ClaimFilterForm(forms.Form):
    """Search and filters of the public claims index."""

    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    rating = forms.ChoiceField(label=_("Verdict"), required=False)
    status = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("Any")),
            (Claim.Status.PUBLISHED, _("Published")),
            (Claim.Status.NEEDS_REREVIEW, _("Being re-checked")),
        ],
    )
    claimant = forms.CharField(label=_("Claimant"), max_length=200, required=False)
    date_from = forms.DateField(
        label=_("Claimed from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("Claimed until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("Any")), *Language.choices]
    )

    def __init__(self, *args, ratings: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].choices = [("", _("Any")), *ratings]


# --- The editor desk ------------------------------------------------------------------

CLAIM_TEXT_MAX = 2000
SUMMARY_MAX = 300
EXPLANATION_MAX = 20_000
QUOTE_MAX = 2000


class ClaimForm(forms.ModelForm):
    """What was claimed, by whom, when."""

    text = forms.CharField(
        label=_("Claim"), max_length=CLAIM_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    class Meta:
        model = Claim
        fields = ["text", "claimant", "claim_date", "language"]
        widgets = {"claim_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        labels = {"language": _("Language")}

    def clean_text(self) -> str:
        text = " ".join(self.cleaned_data["text"].split())
        if not text:
            raise forms.ValidationError(_("Write the claim."))
        return text


class ClaimFromSelectionForm(forms.Form):
    """A claim from text the editor selected in an article paragraph."""

    text = forms.CharField(
        label=_("Claim"), max_length=CLAIM_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    claimant = forms.CharField(label=_("Claimant"), max_length=200, required=False)
    claim_date = forms.DateField(
        label=_("Claim date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    quote = forms.CharField(
        label=_("Selected passage"),
        max_length=QUOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "readonly": True}),
    )
    paragraph = forms.CharField(max_length=40, widget=forms.HiddenInput)
    start = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, article: Article, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article

    def clean(self) -> dict:
        data = super().clean()
        anchor = data.get("paragraph")
        if anchor:
            self.paragraph_obj = self.article.paragraphs.filter(anchor=anchor).first()
            if self.paragraph_obj is None:
                self.add_error(None, _("That paragraph is not in this article."))
            elif data.get("quote") and data["quote"] not in self.paragraph_obj.text:
                self.add_error("quote", _("The selected text is not in that paragraph."))
        return data


class SuggestionAcceptForm(forms.Form):
    text = forms.CharField(
        label=_("Claim"), max_length=CLAIM_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    claimant = forms.CharField(label=_("Claimant"), max_length=200, required=False)


class CitationForm(forms.Form):
    """Cite a known source, or a new one by URL, with the passage the claim relies on."""

    source = forms.ModelChoiceField(label=_("Source"), queryset=None, required=False)
    url = forms.URLField(
        label=_("or a new source's URL"), max_length=2000, required=False, assume_scheme="https"
    )
    quote = forms.CharField(
        label=_("Quoted passage"),
        max_length=QUOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        from claims.models import Source

        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Source.objects.order_by("title", "id")

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("source") and not data.get("url") and not self.errors:
            raise forms.ValidationError(_("Choose a source or give its URL."))
        return data


class VerdictForm(forms.Form):
    rating = forms.ModelChoiceField(label=_("Rating"), queryset=None)
    summary = forms.CharField(label=_("One-line summary"), max_length=SUMMARY_MAX)
    explanation = forms.CharField(
        label=_("Explanation"),
        max_length=EXPLANATION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Paragraphs, bold, italics, lists and links are kept."),
    )
    citations = forms.ModelMultipleChoiceField(
        label=_("Rests on"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick the sources this verdict rests on. Cite a source above to add one."),
    )

    def __init__(self, *args, claim: Claim, **kwargs):
        from claims.models import Rating

        super().__init__(*args, **kwargs)
        self.fields["rating"].queryset = Rating.objects.filter(scale__is_active=True).order_by(
            "scale__name", "position"
        )
        self.fields["citations"].queryset = claim.citations.select_related("source")
        self.fields["citations"].label_from_instance = lambda c: str(c.source)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assigned to"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        from django.contrib.auth import get_user_model
        from django.db.models import Q

        super().__init__(*args, **kwargs)
        editors = Q(groups__permissions__codename="change_claim") | Q(is_superuser=True)
        self.fields["assignee"].queryset = (
            get_user_model()
            .objects.filter(editors, is_active=True, is_staff=True)
            .distinct()
            .order_by("username")
        )


class AppearanceForm(forms.Form):
    """Where else the claim was made: a post, a video, another outlet's article."""

    url = forms.URLField(label=_("Also appears at (URL)"), max_length=2000, assume_scheme="https")
    appeared_at = forms.DateField(
        label=_("On"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


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


class ReportReplyForm(forms.Form):
    """The reader's answer to a reviewer's question, on the tracking page."""

    reply = forms.CharField(
        label=_("Your answer"),
        max_length=settings.FACTCHECK_REPORT_MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_reply(self) -> str:
        reply = self.cleaned_data["reply"].strip()
        if not reply:
            raise forms.ValidationError(_("Please write your answer."))
        return reply


# --- The reviewer's triage forms ----------------------------------------------------


def text_field(label, *, rows: int = 2, required: bool = False, **kwargs) -> forms.CharField:
    """A capped multi-line text field, as every triage form has a few."""
    return forms.CharField(
        label=label,
        max_length=settings.FACTCHECK_REPORT_MESSAGE_MAX,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


class AcceptForm(forms.Form):
    correction_kind = forms.ChoiceField(
        label=_("Type"), choices=Correction.Kind.choices, initial=Correction.Kind.CORRECTION
    )
    correction_text = text_field(_("Correction (public, shown at the top of the article)"), rows=3)
    claim_rereview = forms.BooleanField(
        label=_("Send the claim back to “needs re-review”"), required=False
    )
    resolution = text_field(_("Message to the reader (public)"))
    reviewer_note = text_field(_("Private note"))

    def __init__(self, *args, report: Report, **kwargs):
        super().__init__(*args, **kwargs)
        if not report.claim_id:
            del self.fields["claim_rereview"]

    def clean(self) -> dict:
        data = super().clean()
        if not (data.get("correction_text") or "").strip() and not data.get("claim_rereview"):
            raise forms.ValidationError(
                _("Write a correction, or send the claim back for re-review.")
            )
        return data


class RejectForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Report.RejectReason.choices)
    resolution = text_field(_("Explanation for the reader (public)"), rows=3)
    reviewer_note = text_field(_("Private note"))


class DuplicateForm(forms.Form):
    original = forms.CharField(
        label=_("Original report (number or reference)"),
        max_length=40,
        help_text=_("Or choose one of the suggestions above."),
    )

    def clean_original(self) -> Report:
        value = self.cleaned_data["original"].strip().lstrip("#")
        report = None
        if value.isdigit():
            report = Report.objects.filter(pk=int(value)).first()
        elif len(value) >= 6:
            report = Report.objects.filter(reference__startswith=value).first()
        if report is None:
            raise forms.ValidationError(_("There is no report with that number or reference."))
        return report


class SpamForm(forms.Form):
    block = forms.BooleanField(label=_("Also block this reporter"), required=False)
    reviewer_note = text_field(_("Private note"))


class InfoRequestForm(forms.Form):
    question = text_field(_("Question to the reader (sent by email)"), rows=3, required=True)

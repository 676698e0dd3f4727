"""Reader reports: the "found an error?" form, the reader's answer on the tracking page,
the reviewer queue's filters and triage forms, and the admin's reporter-data form.

Forms check input and size caps only; writes happen in services."""

from __future__ import annotations

import re
import secrets
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from claims.models import Article, Claim, Correction, Language, Paragraph, Report
from claims.text.links import (
    BAD_SCHEME,
    BAD_URL,
    REFUSED_ADDRESS,
    URL_MAX_LENGTH,
    BadLink,
    link_normalise,
    link_refusal,
)

STARTED_SALT = "claims.report-form.started"
SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*:(?!\d)", re.IGNORECASE)


def report_form_token(started: float | None = None) -> str:
    """A signed note of when the form was served, with a random nonce that makes it
    single-use: the minimum fill time is measured from it, and a token sent once is
    refused the second time. ``started`` backdates it (tests)."""
    when = int(started if started is not None else time.time())
    return signing.dumps([when, secrets.token_urlsafe(12)], salt=STARTED_SALT)


def report_form_stamp(token: str) -> tuple[float, str]:
    """(seconds since the form was served, its nonce); raises signing.BadSignature
    (incl. expired, and a token of the older format without a nonce)."""
    max_age = settings.FACTCHECK_REPORT_FORM_MAX_AGE_HOURS * 3600
    stamp = signing.loads(token, salt=STARTED_SALT, max_age=max_age)
    if not (isinstance(stamp, list) and len(stamp) == 2 and isinstance(stamp[1], str)):
        raise signing.BadSignature("not a form token")
    age = time.time() - int(stamp[0])
    if age > max_age:
        raise signing.SignatureExpired(f"the form was served {age:.0f} s ago")
    return age, stamp[1]


def report_form_age(token: str) -> float:
    """Seconds since the form was served; raises signing.BadSignature (incl. expired)."""
    return report_form_stamp(token)[0]


def report_form_nonce_use(nonce: str) -> bool:
    """Spend a form token's nonce: True the first time, False for a replay. The nonce
    is kept in the counters cache (shared by every web process) for as long as the
    token is valid. A cache outage lets the form through: a report is never lost to a
    broken cache, and the rate limits still apply."""
    from django.core.cache import caches

    timeout = settings.FACTCHECK_REPORT_FORM_MAX_AGE_HOURS * 3600 + 60
    try:
        return bool(caches["counters"].add(f"report-form-nonce:{nonce}", 1, timeout=timeout))
    except Exception:
        return True


# Why an evidence link is refused, in the reader's words.
EVIDENCE_REFUSALS = {
    BAD_SCHEME: _("Only web links (http or https) can be used as evidence."),
    BAD_URL: _("This does not look like a web address."),
    REFUSED_ADDRESS: _("This address is not on the public internet."),
}


def evidence_url_clean(value: str) -> str:
    """Normalise a reader's evidence link and refuse what can never be fetched: another
    scheme, a user name or password, a private or local address. Nothing is looked up
    or fetched in the request: the worker resolves the name and checks the address
    before it fetches anything, as it does for every source."""
    value = value.strip()
    if not value:
        return ""
    if not SCHEME_RE.match(value):
        value = "https://" + value  # "www.example.org/x" as people type it
    refusal = link_refusal(value)
    if refusal:
        raise forms.ValidationError(EVIDENCE_REFUSALS[refusal], code=refusal)
    try:
        return link_normalise(value)
    except BadLink:
        raise forms.ValidationError(EVIDENCE_REFUSALS[BAD_URL], code=BAD_URL) from None


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
        self.nonce = ""

    def clean_message(self) -> str:
        message = self.cleaned_data["message"].strip()
        if not message:
            raise forms.ValidationError(_("Please tell us what is wrong."))
        return message

    def clean_started(self) -> str:
        token = self.cleaned_data.get("started", "")
        try:
            age, self.nonce = report_form_stamp(token)
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
        if not self.errors and self.nonce and not report_form_nonce_use(self.nonce):
            # The same form sent twice: a double click, a reload that posted again, or
            # a bot replaying one token. Nothing is stored twice; a fresh token lets a
            # reader who meant to send another report do so.
            self._started_renew()
            raise forms.ValidationError(
                _(
                    "This form was already sent, so we did not store it again. "
                    "To send another report, check it and send it once more."
                ),
                code="replayed",
            )
        return data

    def started_renew(self) -> None:
        """Give the re-rendered form a fresh token (its own was spent)."""
        self._started_renew()

    @property
    def retention_days(self) -> int:
        return settings.FACTCHECK_REPORT_EMAIL_RETENTION_DAYS

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


# --- The reviewer's triage forms ---------------------------------------------------------


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
    """Accept a report: a public correction, and, for a report about a paragraph, the
    paragraph's new text (the article is changed in the same step, or, for a reviewer
    who may not change articles, the change is proposed to the editors)."""

    correction_kind = forms.ChoiceField(
        label=_("Type"), choices=Correction.Kind.choices, initial=Correction.Kind.CORRECTION
    )
    correction_text = text_field(_("Correction (public, shown at the top of the article)"), rows=3)
    fix_paragraph = forms.BooleanField(label=_("Change the paragraph's text"), required=False)
    paragraph_text = forms.CharField(
        label=_("The paragraph as it should read"),
        max_length=20_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 9}),
    )
    claim_rereview = forms.BooleanField(
        label=_("Send the claim back to “needs re-review”"), required=False
    )
    resolution = text_field(_("Message to the reader (public)"))
    reviewer_note = text_field(_("Private note"))

    def __init__(self, *args, report: Report, paragraph: Paragraph | None = None, **kwargs):
        """``paragraph``: the paragraph the report is about, if any (see
        ``services.report_paragraph``); the form then offers to fix its text."""
        super().__init__(*args, **kwargs)
        self.paragraph = paragraph
        if not report.claim_id:
            del self.fields["claim_rereview"]
        if paragraph is None:
            del self.fields["fix_paragraph"], self.fields["paragraph_text"]

    def clean(self) -> dict:
        data = super().clean()
        if not (data.get("correction_text") or "").strip() and not data.get("claim_rereview"):
            raise forms.ValidationError(
                _("Write a correction, or send the claim back for re-review.")
            )
        if data.get("fix_paragraph") and not (data.get("paragraph_text") or "").strip():
            self.add_error("paragraph_text", _("The corrected paragraph is empty."))
        return data

    @property
    def new_paragraph_text(self) -> str | None:
        """The new text to give the paragraph, or None to leave the text alone."""
        if self.cleaned_data.get("fix_paragraph"):
            return self.cleaned_data["paragraph_text"]
        return None


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


class QueueFilterForm(forms.Form):
    """The list's filters (GET). Empty values mean "any"."""

    OPEN = "open"
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=[(OPEN, gettext_lazy("Open")), *Report.State.choices, ("all", gettext_lazy("All"))],
    )
    article = forms.ModelChoiceField(
        label=gettext_lazy("Article"),
        required=False,
        queryset=Article.objects.none(),
        empty_label=gettext_lazy("All articles"),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        required=False,
        choices=[("", gettext_lazy("All languages")), *Language.choices],
    )
    waited = forms.TypedChoiceField(
        label=gettext_lazy("Waiting at least"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", gettext_lazy("Any time")),
            (1, gettext_lazy("1 day")),
            (3, gettext_lazy("3 days")),
            (7, gettext_lazy("a week")),
            (30, gettext_lazy("a month")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["article"].queryset = Article.objects.filter(
            pk__in=Report.objects.values("article_id")
        ).only("pk", "title")

    def reports(self):
        data = self.cleaned_data if self.is_valid() else {}
        reports = Report.objects.select_related("article", "assignee", "paragraph", "claim")
        state = data.get("state") or self.OPEN
        if state == self.OPEN:
            reports = reports.open().order_by("queue_at", "id")
        elif state == "all":
            reports = reports.order_by("-created_at", "-id")
        elif state in Report.OPEN_STATES:
            reports = reports.filter(state=state).order_by("queue_at", "id")
        else:
            reports = reports.filter(state=state).order_by("-resolved_at", "-id")
        if data.get("article"):
            reports = reports.filter(article=data["article"])
        if data.get("language"):
            reports = reports.filter(language=data["language"])
        if data.get("waited"):
            since = timezone.now() - timezone.timedelta(days=data["waited"])
            reports = reports.filter(created_at__lte=since)
        return reports


class ReporterForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Reporter's email address"), max_length=254)


class EraseForm(ReporterForm):
    confirm = forms.BooleanField(
        label=gettext_lazy("Yes, erase this reporter's name and email address from every report")
    )

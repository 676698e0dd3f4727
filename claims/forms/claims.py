"""Claims: the public claims index's filters, and the editor desk's forms (a claim, a
claim from selected text, citations, the verdict, assignment, appearances).

Forms check input and size caps only; writes happen in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from claims.forms.sources import source_url_clean
from claims.models import Article, Claim, Language


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

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        return source_url_clean(url) if url else ""

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

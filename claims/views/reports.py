"""The reviewer queue: list and filter reports, claim the next one under a lease, and
triage it in place with htmx (the same forms post without JavaScript too).

Every view needs ``claims.claim_report``; blocking a reporter needs ``block_reporter``
and seeing reporters' addresses ``view_reporter_email``. Only the reviewer holding a
report may resolve it: the services refuse anyone else (``ReportNotHeld``).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from claims import services
from claims.access import staff_view
from claims.forms import AcceptForm, DuplicateForm, InfoRequestForm, RejectForm, SpamForm
from claims.models import Article, Language, Report

PERMISSION = "claims.claim_report"
PAGE_SIZE = 50


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


@staff_view(PERMISSION)
@require_GET
def report_queue(request: HttpRequest) -> HttpResponse:
    filters = QueueFilterForm(request.GET or None)
    page = Paginator(filters.reports(), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dict(Report.objects.open().values_list("state").annotate(n=Count("id")).order_by())
    context = {
        "filters": filters,
        "page": page,
        "counts": [
            (state, label, counts.get(state, 0))
            for state, label in Report.State.choices
            if state in Report.OPEN_STATES
        ],
        "held": services.report_held_by(user=request.user),
    }
    query = request.GET.copy()
    query.pop("page", None)
    context["query"] = query.urlencode()
    template = "claims/report_queue.html"
    if request.htmx and request.htmx.target == "report-list":
        template += "#report-list"
    return render(request, template, context)


@staff_view(PERMISSION)
@require_POST
def report_claim_next(request: HttpRequest) -> HttpResponse:
    report = services.report_claim_next(user=request.user)
    if report is None:
        messages.info(request, _("The queue is empty. Thank you!"))
        target = reverse("claims:report_queue")
    else:
        target = report.get_review_url()
    return HttpResponseClientRedirect(target) if request.htmx else redirect(target)


def _review_report(pk: int) -> Report:
    return get_object_or_404(
        Report.objects.select_related("article", "paragraph", "claim", "assignee", "duplicate_of"),
        pk=pk,
    )


def _review_context(request: HttpRequest, report: Report, bound: dict | None = None) -> dict:
    user = request.user
    held = report.is_held_by(user)
    context = {
        "report": report,
        "held": held,
        "can_see_contact": user.has_perm("claims.view_reporter_email"),
        "can_block": user.has_perm("claims.block_reporter"),
        "duplicates": list(report.duplicates.only("pk", "reference", "message", "created_at")),
        "evidence_sources": list(report.evidence_sources.all()),
        "corrections": list(report.corrections.all()),
        "history": list(report.history.select_related("history_user")[:20]),
    }
    if held:
        forms_ = {
            "accept": AcceptForm(report=report),
            "reject": RejectForm(),
            "duplicate": DuplicateForm(),
            "spam": SpamForm(),
            "info": InfoRequestForm() if report.can_ask_for_information else None,
        }
        forms_.update(bound or {})
        context["forms"] = forms_
        context["open_action"] = next(iter(bound or {}), "accept")
        context["candidates"] = services.report_duplicate_candidates(report=report)
    return context


@staff_view(PERMISSION)
@require_GET
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    report = _review_report(pk)
    if report.is_held_by(request.user):
        services.report_lease_extend(report_id=report.pk, user=request.user)
        report.refresh_from_db(fields=["lease_until"])
    return render(request, "claims/report_review.html", _review_context(request, report))


TRIAGE_FORMS = {
    "accept": AcceptForm,
    "reject": RejectForm,
    "duplicate": DuplicateForm,
    "spam": SpamForm,
    "info": InfoRequestForm,
}


def _triage_apply(request: HttpRequest, report: Report, action: str) -> tuple[str, dict]:
    """Run one triage action. Returns (what happened, bound forms that failed)."""
    user = request.user
    if action == "claim":
        services.report_claim(report_id=report.pk, user=user)
        return _("You hold this report now."), {}
    if action == "release":
        if not services.report_release(report_id=report.pk, user=user):
            raise services.ReportNotHeld(report.pk)
        return _("The report is back in the queue."), {}
    if action == "extend":
        if not services.report_lease_extend(report_id=report.pk, user=user):
            raise services.ReportNotHeld(report.pk)
        return _("You hold this report for longer now."), {}
    if action not in TRIAGE_FORMS:
        raise services.ReportActionRefused(_("Unknown action."))
    form_class = TRIAGE_FORMS[action]
    form = (
        form_class(request.POST, report=report)
        if form_class is AcceptForm
        else form_class(request.POST)
    )
    if not form.is_valid():
        return "", {action: form}
    data = form.cleaned_data
    if action == "accept":
        services.report_accept(
            report_id=report.pk,
            user=user,
            correction_text=data["correction_text"],
            correction_kind=data["correction_kind"],
            claim_rereview=data.get("claim_rereview", False),
            resolution=data["resolution"],
            reviewer_note=data["reviewer_note"],
        )
        return _("Accepted. The reader will be told."), {}
    if action == "reject":
        services.report_reject(
            report_id=report.pk,
            user=user,
            reason=data["reason"],
            resolution=data["resolution"],
            reviewer_note=data["reviewer_note"],
        )
        return _("Rejected. The reader will be told."), {}
    if action == "duplicate":
        services.report_mark_duplicate(
            report_id=report.pk, original_id=data["original"].pk, user=user
        )
        return _("Marked as a duplicate."), {}
    if action == "spam":
        block = data["block"] and user.has_perm("claims.block_reporter")
        services.report_mark_spam(
            report_id=report.pk, user=user, block=block, reviewer_note=data["reviewer_note"]
        )
        return _("Filed as spam."), {}
    services.report_request_info(report_id=report.pk, user=user, question=data["question"])
    return _("Question sent. The report waits for the reader's answer."), {}


@staff_view(PERMISSION)
@require_POST
def report_triage(request: HttpRequest, pk: int) -> HttpResponse:
    """One triage action on a report; htmx swaps the triage panel in place."""
    report = _review_report(pk)
    error, done, bound = "", "", {}
    try:
        done, bound = _triage_apply(request, report, request.POST.get("action", ""))
    except services.ReportNotHeld:
        error = _("You no longer hold this report: your lease ran out, or another reviewer has it.")
    except services.ReportActionRefused as refused:
        error = str(refused)
    report = _review_report(pk)
    if not request.htmx and done:
        messages.success(request, done)
        return redirect(report.get_review_url())
    context = _review_context(request, report, bound)
    context.update(done=done, error=error)
    template = "claims/report_review.html"
    if request.htmx:
        template += "#triage-panel"
    return render(request, template, context)


@staff_view("claims.block_reporter")
@require_POST
def report_block(request: HttpRequest, pk: int) -> HttpResponse:
    """Block a report's reporter: their open and future reports are filed as spam."""
    report = get_object_or_404(Report, pk=pk)
    if report.ip_hash:
        filed = services.reporter_block(
            ip_hash=report.ip_hash, user=request.user, reason=f"report {report.pk}"
        )
        messages.success(
            request,
            _("Reporter blocked; %(n)s of their waiting reports filed as spam.") % {"n": filed},
        )
    else:
        messages.error(request, _("This report has no reporter to block."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("claims:report_queue")
    return redirect(back)

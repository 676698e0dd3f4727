"""Reader reports: the "found an error?" form's answer, the reader's tracking page, the
reviewer queue (claim the next report under a lease, triage it in place with htmx; the
same forms post without JavaScript), the public corrections log and its feeds, and one
reporter's personal data for the admin.

Staff views need ``claims.claim_report``; blocking a reporter needs ``block_reporter``
and seeing reporters' addresses ``view_reporter_email``. Only the reviewer holding a
report may resolve it: the services refuse anyone else (``ReportNotHeld``).
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from claims import services
from claims.access import client_ip, rate_limited, staff_view
from claims.forms.reports import (
    AcceptForm,
    DuplicateForm,
    EraseForm,
    InfoRequestForm,
    QueueFilterForm,
    RejectForm,
    ReporterForm,
    ReportForm,
    ReportReplyForm,
    SpamForm,
)
from claims.models import (
    Article,
    Correction,
    Report,
)
from claims.services.reports import SPAM_HONEYPOT
from claims.templatetags.marks import text_change
from claims.text.links import site_url
from claims.views.articles import article_blank_form, article_content, article_page_render

# --- The reader's side ---------------------------------------------------------------------


log = logging.getLogger(__name__)


def _report_limits(article: Article) -> list[tuple[str, object, str]]:
    return [
        ("report-ip", "ip", settings.FACTCHECK_REPORT_RATE_PER_IP),
        (
            "report-article",
            lambda group, request: str(article.pk),
            settings.FACTCHECK_REPORT_RATE_PER_ARTICLE,
        ),
    ]


RATE_LIMITED = gettext_lazy(
    "You have sent several reports in a short time. Please wait a little while and "
    "send this one again; what you wrote is still here."
)


@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article.objects.published(), slug=slug)
    if request.method == "GET":
        return redirect(f"{article.get_absolute_url()}#report")
    content = article_content(request, article)
    form = ReportForm(
        request.POST, article=article, paragraphs=content.paragraphs, claims=content.claims
    )
    if not form.is_valid():
        return _report_form_answer(request, article, content, form)
    if rate_limited(request, _report_limits(article)):
        form.started_renew()  # its token was spent
        return _report_form_answer(request, article, content, form, notice=str(RATE_LIMITED))
    data = form.cleaned_data
    report = services.report_create(
        article=article,
        message=data["message"],
        quote=data["quote"],
        suggestion=data["suggestion"],
        paragraph=form.paragraph_obj,
        claim=form.claim_obj,
        evidence_urls=data["evidence_urls"],
        name=data["name"],
        email=data["email"],
        email_consent=data["email_consent"],
        language=get_language() or "nl",
        ip=client_ip(request),
        spam_note=SPAM_HONEYPOT if form.is_bot else "",
    )
    if request.htmx:  # the reference, and a blank form for another report
        context = {
            "article": article,
            "sent": report,
            "form_html": article_blank_form(request, content),
        }
        return render(request, "articles/article_detail.html#report-form", context)
    messages.success(request, _("Thank you. Your report has been received."))
    return redirect(report)


def _report_form_answer(request, article, content, form, *, notice: str = "") -> HttpResponse:
    """A refused report: the form again with what the reader wrote and why. htmx swaps
    only 2xx answers, so the fragment is 200; the full page says 429 when rate-limited."""
    if request.htmx:
        return render(
            request,
            "articles/article_detail.html#report-form",
            {"article": article, "form": form, "notice": notice},
        )
    status = 429 if notice else 200
    return article_page_render(
        request, article, content=content, form=form, notice=notice, status=status
    )


def _report_track_page(request, report: Report, *, reply_form=None, status=200) -> HttpResponse:
    """The reader's view of their report: its state and the public outcome (for a
    duplicate, the original's), never reviewer notes or who handled it."""
    decided = report
    if report.state == Report.State.DUPLICATE and report.duplicate_of is not None:
        decided = report.duplicate_of
    corrections = []
    if decided.state == Report.State.ACCEPTED:
        corrections = list(decided.corrections.select_related("article"))
    if report.state == Report.State.WAITING and reply_form is None:
        reply_form = ReportReplyForm()
    context = {
        "report": report,
        "decided": decided,
        "corrections": corrections,
        "reply_form": reply_form if report.state == Report.State.WAITING else None,
    }
    return render(request, "reports/report_track.html", context, status=status)


@require_GET
def report_track(request: HttpRequest, reference: str) -> HttpResponse:
    report = get_object_or_404(
        Report.objects.select_related("article", "duplicate_of"), reference=reference
    )
    return _report_track_page(request, report)


@require_POST
def report_reply(request: HttpRequest, reference: str) -> HttpResponse:
    """The reader answers the reviewer's question on the tracking page."""
    report = get_object_or_404(
        Report.objects.select_related("article", "duplicate_of"), reference=reference
    )
    if report.state != Report.State.WAITING:
        messages.info(request, _("This report is no longer waiting for an answer."))
        return redirect(report)
    form = ReportReplyForm(request.POST)
    if not form.is_valid():
        return _report_track_page(request, report, reply_form=form)
    if rate_limited(request, [("report-reply", "ip", settings.FACTCHECK_REPORT_RATE_PER_IP)]):
        form.add_error(None, RATE_LIMITED)
        return _report_track_page(request, report, reply_form=form, status=429)
    services.report_info_reply(report=report, text=form.cleaned_data["reply"])
    messages.success(request, _("Thank you. Your answer has been added to your report."))
    return redirect(report)


# --- The reviewer queue --------------------------------------------------------------------


PERMISSION = "claims.claim_report"
PAGE_SIZE = 50


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
    template = "reports/report_queue.html"
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
        "evidence": list(report.evidence.all()),
        "evidence_sources": list(report.evidence_sources.all()),
        "corrections": list(report.corrections.all()),
        "history": list(report.history.select_related("history_user")[:20]),
    }
    if context["can_block"] and report.ip_hash:
        context["address"] = services.reporter_address_summary(ip_hash=report.ip_hash)
    paragraph = services.report_paragraph(report)
    context["paragraph"] = paragraph
    context["can_correct"] = user.has_perm("claims.correct_article")
    if held:
        forms_ = {
            "accept": _accept_form(report, paragraph),
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
    return render(request, "reports/report_review.html", _review_context(request, report))


def _accept_form(report: Report, paragraph, data=None) -> AcceptForm:
    """The accept form, offering to fix the reported paragraph: the reader's wording
    pre-fills it, and the correction says what the text said and should say."""
    initial = {}
    if paragraph is not None:
        proposal = services.report_fix_proposal(report)
        initial["paragraph_text"] = proposal
        initial["fix_paragraph"] = proposal != paragraph.text
        quote, suggestion = report.quote.strip(), report.suggestion.strip()
        if initial["fix_paragraph"] and quote and suggestion:
            with translation.override(report.article.language):
                initial["correction_text"] = _(
                    "An earlier version of this article said “%(old)s”; that should have "
                    "been “%(new)s”."
                ) % {"old": quote, "new": suggestion}
    return AcceptForm(data, report=report, paragraph=paragraph, initial=initial)


def _reader_told(report: Report) -> str:
    """What the reporter learns of a decision: an email only if they left an address."""
    if report.can_ask_for_information:
        return _("The reader will be told by email.")
    return _("The reader left no address; the outcome shows on their tracking page.")


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
        _accept_form(report, services.report_paragraph(report), request.POST)
        if form_class is AcceptForm
        else form_class(request.POST)
    )
    if not form.is_valid():
        return "", {action: form}
    data = form.cleaned_data
    if action == "accept":
        accepted = services.report_accept(
            report_id=report.pk,
            user=user,
            correction_text=data["correction_text"],
            correction_kind=data["correction_kind"],
            claim_rereview=data.get("claim_rereview", False),
            resolution=data["resolution"],
            reviewer_note=data["reviewer_note"],
            paragraph_text=form.new_paragraph_text,
        )
        if accepted.revision is not None:
            done = _("Accepted, and the paragraph is corrected.")
        elif accepted.text_fix is not None:
            done = _("Accepted. The text fix waits for an editor.")
        else:
            done = _("Accepted.")
        return f"{done} {_reader_told(report)}", {}
    if action == "reject":
        services.report_reject(
            report_id=report.pk,
            user=user,
            reason=data["reason"],
            resolution=data["resolution"],
            reviewer_note=data["reviewer_note"],
        )
        rejected = _("Rejected.")
        return f"{rejected} {_reader_told(report)}", {}
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
    template = "reports/report_review.html"
    if request.htmx:
        # The panel, and the history beside it (an out-of-band swap): the decision
        # just made is its newest line.
        context["history_oob"] = True
        return HttpResponse(
            render_to_string(template + "#triage-panel", context, request)
            + render_to_string(template + "#report-history", context, request)
        )
    return render(request, template, context)


@staff_view("claims.block_reporter")
@require_POST
def report_block(request: HttpRequest, pk: int) -> HttpResponse:
    """Block a report's reporter for FACTCHECK_BLOCK_DAYS: their waiting and future
    reports are held in the moderators' blocked list. First the moderator sees how
    many different reporters used the address lately; the block needs a second,
    confirming POST."""
    report = get_object_or_404(Report.objects.select_related("article"), pk=pk)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("claims:report_queue")
    if report.ip_hash and request.POST.get("confirm") != "yes":
        context = {
            "report": report,
            "address": services.reporter_address_summary(ip_hash=report.ip_hash),
            "days": settings.FACTCHECK_BLOCK_DAYS,
            "next": back,
        }
        return render(request, "reports/report_block.html", context)
    if report.ip_hash:
        held = services.reporter_block(
            ip_hash=report.ip_hash, user=request.user, reason=f"report {report.pk}"
        )
        messages.success(
            request,
            ngettext(
                "Address blocked for %(days)s days; %(n)s waiting report held.",
                "Address blocked for %(days)s days; %(n)s waiting reports held.",
                held,
            )
            % {"n": held, "days": settings.FACTCHECK_BLOCK_DAYS},
        )
    else:
        messages.error(request, _("This report has no reporter to block."))
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("claims:report_queue")
    return redirect(back)


# --- The corrections log and its feeds -----------------------------------------------------


PAGE_SIZE = 30


def corrections_filtered(params) -> tuple[object, dict]:
    """Published corrections, newest first, filtered by ``kind`` and ``month``
    (``YYYY-MM``, in the site's time zone). Unknown values are ignored."""
    corrections = Correction.objects.select_related(
        "article", "claim", "amends", "revision"
    ).filter(article__status="published")
    chosen = {"kind": "", "month": ""}
    kind = params.get("kind", "")
    if kind in Correction.Kind.values:
        corrections = corrections.filter(kind=kind)
        chosen["kind"] = kind
    month = params.get("month", "")
    year, _sep, number = month.partition("-")
    if year.isdigit() and number.isdigit() and 1 <= int(number) <= 12 and len(year) == 4:
        corrections = corrections.filter(
            published_at__year=int(year), published_at__month=int(number)
        )
        chosen["month"] = month
    return corrections.order_by("-published_at", "-id"), chosen


@require_GET
def correction_list(request: HttpRequest) -> HttpResponse:
    corrections, chosen = corrections_filtered(request.GET)
    page = Paginator(corrections, PAGE_SIZE).get_page(request.GET.get("page"))
    months = (
        Correction.objects.filter(article__status="published")
        .annotate(month=TruncMonth("published_at"))
        .values_list("month", flat=True)
        .distinct()
        .order_by("-month")
    )
    context = {
        "page": page,
        "chosen": chosen,
        "kinds": Correction.Kind.choices,
        "months": list(months),
        "feed_query": urlencode({name: value for name, value in chosen.items() if value}),
    }
    template = "reports/correction_list.html"
    if request.htmx and request.htmx.target == "correction-results":
        template += "#correction-results"
    return render(request, template, context)


class CorrectionsFeed(Feed):
    """RSS 2.0: the newest corrections, optionally of one type (``?kind=``)."""

    limit = 50

    def get_object(self, request, *args, **kwargs):
        # The feed instance serves every request: the filters travel as the "object".
        return request.GET.copy()

    def title(self) -> str:
        return _("%(site)s: corrections") % {"site": settings.SITE_NAME}

    def description(self) -> str:
        return _("Corrections, clarifications and changed verdicts, newest first.")

    def link(self) -> str:
        return reverse("claims:corrections")

    def items(self, params):
        corrections, _chosen = corrections_filtered(params)
        return corrections[: self.limit]

    def item_title(self, item: Correction) -> str:
        return f"{item.get_kind_display()}: {item.article.title}"

    def item_description(self, item: Correction) -> str:
        # RSS descriptions and Atom's type="html" summaries are HTML to the feed reader:
        # the text is escaped (and its lines kept) as on the corrections page, and a text
        # change shows as there: what it said, what it says now.
        with translation.override(item.article.language):
            changes = [text_change(change) for change in item.text_changes]
            return linebreaksbr(item.text, autoescape=True) + "".join(
                render_to_string("text_change.html", change) for change in changes
            )

    def item_link(self, item: Correction) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Correction) -> str:
        return site_url(item.get_absolute_url())

    def item_pubdate(self, item: Correction):
        return item.published_at

    def item_updateddate(self, item: Correction):
        return item.published_at

    def item_categories(self, item: Correction) -> list[str]:
        return [item.get_kind_display()]


class CorrectionsAtomFeed(CorrectionsFeed):
    feed_type = Atom1Feed

    def subtitle(self) -> str:
        return self.description()


# --- One reporter's personal data (the admin) ----------------------------------------------


@staff_view("claims.erase_reporter_data", "claims.view_reporter_email")
def reporter_data(request: HttpRequest) -> HttpResponse:
    here = reverse("admin:claims_report_reporter_data")
    form = ReporterForm(request.POST if request.method == "POST" else request.GET or None)
    erase_form = EraseForm(initial={"email": form.data.get("email", "")})
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if request.POST.get("action") == "export":
            data = services.reporter_data_export(email=email)
            response = HttpResponse(
                json.dumps(data, ensure_ascii=False, indent=2),
                content_type="application/json; charset=utf-8",
            )
            response["Content-Disposition"] = 'attachment; filename="reporter-data.json"'
            return response
        erase_form = EraseForm(request.POST)
        if erase_form.is_valid():
            follows = services.follows_of(email=email).count()
            n = services.reporter_data_erase(email=email, user=request.user)
            messages.success(
                request,
                ngettext(
                    "Name and email address erased from %(n)s report.",
                    "Name and email address erased from %(n)s reports.",
                    n,
                )
                % {"n": n},
            )
            if follows:
                messages.success(
                    request, _("Following stopped for %(n)s claims or articles.") % {"n": follows}
                )
            return redirect(f"{here}?{urlencode({'email': email})}")
    reports = follows = None
    if form.is_bound and form.is_valid():
        reports = list(services.reporter_reports(email=form.cleaned_data["email"])[:200])
        follows = list(services.follows_of(email=form.cleaned_data["email"])[:200])
    context = {
        **admin.site.each_context(request),
        "title": _("A reporter's personal data"),
        "form": form,
        "erase_form": erase_form,
        "reports": reports,
        "follows": follows,
        "opts": Report._meta,
    }
    return render(request, "admin/claims/report/reporter_data.html", context)

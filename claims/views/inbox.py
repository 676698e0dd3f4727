"""Each staff member's inbox: what waits for them, across the areas. Verdict changes
waiting for their approval (never their own), shown as before and after; claims assigned
to them; text fixes proposed to the editors; the report they hold."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import IntegerField, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from claims import services
from claims.access import staff_view
from claims.models import Claim, Report, TextFix, Verdict

PERMISSION = "claims.view_inbox"


def inbox_items(user) -> dict:
    """What waits for ``user``, each list only for those whose role works on it."""
    items = {"verdicts": [], "claims": [], "text_fixes": [], "report": None}
    if user.has_perm("claims.publish_verdict"):
        waiting = (
            Verdict.objects.filter(status=Verdict.Status.IN_REVIEW)
            .exclude(author=user)
            .select_related("claim", "rating", "author")
            .order_by("created_at")
        )
        items["verdicts"] = [v for v in waiting if services.verdict_can_publish(v, user)]
    if user.has_perm("claims.change_claim"):
        items["claims"] = list(
            Claim.objects.filter(assignee=user)
            .exclude(status=Claim.Status.PUBLISHED)
            .order_by("-updated_at")[:50]
        )
    if user.has_perm("claims.correct_article") and user.has_perm("claims.change_textfix"):
        items["text_fixes"] = list(
            TextFix.objects.filter(status=TextFix.Status.PROPOSED)
            .select_related("article", "report", "proposed_by")
            .order_by("created_at")
        )
    if user.has_perm("claims.claim_report"):
        items["report"] = services.report_held_by(user=user)
    return items


def inbox_count(user) -> int:
    """How many things wait for ``user`` (the number in the navigation): one query,
    counting only what the user's role works on."""
    counts = {}
    if user.has_perm("claims.publish_verdict"):
        verdicts = Verdict.objects.filter(status=Verdict.Status.IN_REVIEW).exclude(author=user)
        if not user.has_perm("claims.approve_verdict"):
            verdicts = verdicts.filter(supersedes__isnull=True)  # first verdicts only
        counts["verdicts"] = verdicts
    if user.has_perm("claims.change_claim"):
        counts["claims"] = Claim.objects.filter(assignee=user).exclude(
            status=Claim.Status.PUBLISHED
        )
    if user.has_perm("claims.correct_article") and user.has_perm("claims.change_textfix"):
        counts["text_fixes"] = TextFix.objects.filter(status=TextFix.Status.PROPOSED)
    if user.has_perm("claims.claim_report"):
        counts["report"] = Report.objects.filter(
            state=Report.State.IN_REVIEW, assignee=user, lease_until__gt=timezone.now()
        )[:1]
    if not counts:
        return 0
    subqueries = {name: SubqueryCount(queryset.values("pk")) for name, queryset in counts.items()}
    row = (
        get_user_model().objects.filter(pk=user.pk).annotate(**subqueries).values(*subqueries).get()
    )
    return sum(row.values())


class SubqueryCount(Subquery):
    """The number of rows a queryset would return, as a column of another query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()


@staff_view(PERMISSION)
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    items = inbox_items(request.user)
    for verdict in items["verdicts"]:
        published = verdict.claim.verdicts.published().first()
        verdict.published = published
        verdict.comparison = services.verdict_comparison(verdict, published)
    return render(request, "inbox.html", {"items": items})


@staff_view("claims.correct_article", "claims.change_textfix")
@require_POST
def inbox_text_fix(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply a proposed text fix (as proposed, or as the editor changed it), or dismiss it."""
    fix = get_object_or_404(TextFix, pk=pk)
    try:
        if request.POST.get("action") == "dismiss":
            services.text_fix_dismiss(text_fix_id=fix.pk, user=request.user)
            messages.info(request, _("The proposal is dismissed; the text stays as it is."))
        else:
            text = request.POST.get("text", "")[:20_000]
            done = services.text_fix_apply(text_fix_id=fix.pk, user=request.user, text=text or None)
            messages.success(
                request,
                _("The paragraph is corrected (version %(n)s).") % {"n": done.revision.number}
                if done.revision
                else _("The text already read like this; nothing changed."),
            )
    except (services.ReportActionRefused, ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("claims:inbox")

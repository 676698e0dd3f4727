"""Readers who follow a claim or an article: the form (double opt-in by email), the
confirmation, and stopping (a page with a button, and RFC 8058 one-click unsubscribe
for mail programs).

The form answers the same whether or not the address already follows, so it never
tells anyone who follows what. Confirming and stopping change state only on POST: mail
scanners that open every link in a message change nothing."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from claims import services
from claims.access import rate_limited
from claims.forms import FollowForm
from claims.models import Article, Claim, Language

FOLLOW_FORM = "events/_follow_form.html"


def _follow_answer(request, target, form: FollowForm, *, done: bool) -> HttpResponse:
    context = {"target": target, "follow_form": form, "follow_done": done}
    if request.htmx:
        return render(request, f"{FOLLOW_FORM}#follow-form", context)
    if done:
        messages.success(request, str(FOLLOW_SENT))
        return redirect(f"{target.get_absolute_url()}#follow")
    return render(request, "events/follow_form_page.html", context)


FOLLOW_SENT = gettext_lazy(
    "Almost done: we sent you an email with a link. Only after you confirm do you get "
    "updates; without it we forget your address within a few days."
)
RATE_LIMITED = gettext_lazy(
    "You asked to follow several times in a short while. Please wait a little and try again."
)


def _follow(request: HttpRequest, target: Claim | Article, **which) -> HttpResponse:
    form = FollowForm(request.POST)
    if not form.is_valid():
        return _follow_answer(request, target, form, done=False)
    limits = [("follow-ip", "ip", settings.FACTCHECK_FOLLOW_RATE_PER_IP)]
    if rate_limited(request, limits):
        form.add_error(None, str(RATE_LIMITED))
        return _follow_answer(request, target, form, done=False)
    if not form.is_bot:  # a bot is answered as a reader is, and nothing is stored
        language = get_language() if get_language() in Language.values else "nl"
        services.follow_start(email=form.cleaned_data["email"], language=language, **which)
    return _follow_answer(request, target, FollowForm(), done=True)


@require_POST
def claim_follow(request: HttpRequest, slug: str) -> HttpResponse:
    claim = get_object_or_404(Claim.objects.public(), slug=slug)
    return _follow(request, claim, claim=claim)


@require_POST
def article_follow(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article.objects.published(), slug=slug)
    return _follow(request, article, article=article)


def _unknown_link(request: HttpRequest) -> HttpResponse:
    return render(request, "events/follow_unknown.html", status=404)


@require_http_methods(["GET", "POST"])
def follow_confirm(request: HttpRequest, token: str) -> HttpResponse:
    follow = services.follow_by_token(token)
    if follow is None:
        return _unknown_link(request)
    if request.method == "POST":
        follow = services.follow_confirm(token=token)
    context = {"follow": follow, "target": follow.target}
    return render(request, "events/follow_confirm.html", context)


@require_http_methods(["GET", "POST"])
def follow_stop(request: HttpRequest, token: str) -> HttpResponse:
    follow = services.follow_by_token(token)
    if request.method == "POST":
        stopped = services.follow_stop(token=token)
        if stopped is None:
            return _unknown_link(request)
        return render(request, "events/follow_stop.html", {"stopped": stopped})
    if follow is None:
        return _unknown_link(request)
    return render(request, "events/follow_stop.html", {"follow": follow, "target": follow.target})


@csrf_exempt
def follow_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """RFC 8058 one-click unsubscribe: the mail program POSTs ``List-Unsubscribe=One-Click``
    to the URL in the List-Unsubscribe header, with no cookie and no CSRF token; the
    unguessable token in the URL is what authorises it (CSRF has nothing to protect: a
    forger would need the token). A person who opens the link gets the page with the
    button instead."""
    if request.method == "GET":
        return redirect("claims:follow_stop", token=token)
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    if services.follow_stop(token=token) is None:
        return HttpResponse(status=404)
    return HttpResponse(status=200)

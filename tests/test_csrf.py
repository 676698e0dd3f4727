"""CSRF is enforced on every POST: each URL in the URLconf walk of test_access, the admin,
and a static check that every ``<form method="post">`` in templates/ carries the token.

Each URL gets real objects (the seed article, a report's reference, a claim, a citation)
so that a POST that got past the middleware would act. A refused POST must answer 403
with the CSRF failure page and leave every row as it was; the same POST with a token must
not be refused, which shows the 403 came from the CSRF check and nothing else.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.urls import reverse

from claims import services
from claims.models import ClaimMatch, ClaimSuggestion, Source
from tests.conftest import ROOT, report_form_data
from tests.test_access import ENTRIES

TEMPLATES = ROOT / "templates"
SOURCE_URLS = ("source", "source_fetch", "source_url")


def is_csrf_failure(response) -> bool:
    return response.status_code == 403 and "403_csrf.html" in [t.name for t in response.templates]


def rows() -> dict[str, list]:
    """Every row of every claims model (and the users): what an acting POST changes."""
    models = [*apps.get_app_config("claims").get_models(), User]
    return {m._meta.label: list(m.objects.order_by("pk").values_list()) for m in models}


def with_token(client: Client) -> str:
    """Give ``client`` a CSRF cookie as a browser has it after any page; the token."""
    token = _get_new_csrf_string()
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    return token


@pytest.fixture
def samples(seed_claim, scale, editor, admin_user) -> dict:
    """URL kwargs and POST data per URL name, with real objects behind every pk, slug and
    reference, so the view would act if the token were not checked."""
    article, claim = seed_claim.appearances.first().article, seed_claim
    rating = scale.ratings.first()
    services.verdict_publish(claim=claim, rating=rating, summary="Klopt.", author=editor)
    claim.refresh_from_db()
    draft = services.verdict_save(claim=claim, rating=rating, summary="Toch niet.", author=editor)
    services.verdict_submit(verdict=draft, user=editor)
    source = Source.objects.filter(citations__article=article).first() or Source.objects.first()
    citation = services.citation_add(claim=claim, source=source, quote="circa 20%")
    report = services.report_create(article=article, message="Het is 18%.", quote="20%")
    services.report_process(report_id=report.pk)
    report.refresh_from_db()
    other = services.claim_create(
        text="Rusland bezet een vijfde van Oekraïne.", article=article, created_by=editor
    ).claim
    match = ClaimMatch.objects.create(claim=claim, other_claim=other, score=0.8)
    paragraph = article.paragraphs.first()
    suggestion = ClaimSuggestion.objects.create(
        article=article, paragraph=paragraph, start=0, end=10, text=paragraph.text[:10], score=1
    )
    notification = services.notification_create(recipient=admin_user, message="Kijk.", claim=claim)
    kwargs = {
        "claims:article": {"slug": article.slug},
        "claims:report_create": {"slug": article.slug},
        "claims:desk_article": {"slug": article.slug},
        "claims:desk_claim_create": {"slug": article.slug},
        "claims:claim": {"slug": claim.slug},
        "claims:claim_atom": {"slug": claim.slug},
        "claims:claim_follow": {"slug": claim.slug},
        "claims:article_follow": {"slug": article.slug},
        "api:claim-detail": {"slug": claim.slug},
        "api:article-detail": {"slug": article.slug},
        "claims:report_track": {"reference": report.reference},
        "claims:report_reply": {"reference": report.reference},
        "claims:desk_suggestion": {"pk": suggestion.pk},
        "claims:desk_citation_remove": {"pk": citation.pk},
        "claims:desk_verdict_review": {"pk": draft.pk},
        "claims:desk_match": {"pk": match.pk},
        "claims:desk_notification_read": {"pk": notification.pk},
        **{f"claims:{name}": {"pk": source.pk} for name in SOURCE_URLS},
        **{f"claims:report_{name}": {"pk": report.pk} for name in ("review", "triage", "block")},
    }
    data = {
        "claims:report_create": report_form_data(message="Het is 18%.", quote="20%"),
        "claims:report_reply": {"reply": "Zie de bron."},
        "claims:report_triage": {"action": "claim"},
        "claims:report_block": {"reason": "spam"},
        "claims:desk_claim_create": {"text": "Een nieuwe bewering.", "claimant": "X"},
        "claims:desk_claim": {"text": "Aangepast.", "claimant": "Y"},
        "claims:desk_claim_assign": {"assignee": editor.pk},
        "claims:desk_citations": {"source": source.pk, "quote": "x"},
        "claims:desk_verdict": {"rating": rating.pk, "summary": "Nieuw.", "action": "publish"},
        "claims:desk_verdict_review": {"action": "approve", "seen": draft.content_token()},
        "claims:desk_match": {"action": "link"},
        "claims:desk_suggestion": {"action": "accept"},
        "claims:source_url": {"url": "https://example.org/new"},
        "login": {"username": "root", "password": "pw-root"},
        "set_language": {"language": "en"},
        "claims:claim_follow": {"email": "lezer@example.org"},
        "claims:article_follow": {"email": "lezer@example.org"},
    }
    return {"kwargs": kwargs, "data": data, "claim": claim, "report": report}


def url_for(name: str, sample_kwargs: dict, samples: dict) -> str:
    """The URL with real objects where the fixtures have them, SAMPLE values otherwise."""
    real = samples["kwargs"].get(name, {})
    return reverse(name, kwargs={key: real.get(key, value) for key, value in sample_kwargs.items()})


def assert_refused_then_accepted(client: Client, url: str, data: dict, what: str) -> None:
    before = rows()
    refused = client.post(url, data)
    assert is_csrf_failure(refused), (what, url, refused.status_code)
    assert rows() == before, f"{what}: a POST without a token changed rows"

    token = with_token(client)
    accepted = client.post(url, data, HTTP_X_CSRFTOKEN=token)
    assert not is_csrf_failure(accepted), f"{what}: refused even with a token"


# RFC 8058 one-click unsubscribe: mail programs POST without a cookie or a token, so the
# view is exempt; the unguessable token in its URL authorises the POST instead. An
# unknown token is refused and changes nothing (tests/test_follow.py tests a real one).
TOKEN_IN_URL = {"claims:follow_unsubscribe"}


def assert_token_in_url_refuses_unknown(client: Client, url: str, what: str) -> None:
    before = rows()
    response = client.post(url, "List-Unsubscribe=One-Click", "application/x-www-form-urlencoded")
    assert response.status_code == 404, (what, response.status_code)
    assert rows() == before, f"{what}: a POST with an unknown token changed rows"


@pytest.mark.parametrize(("name", "pattern", "kwargs"), ENTRIES, ids=[e[0] or "?" for e in ENTRIES])
def test_every_url_refuses_a_post_without_a_csrf_token(name, pattern, kwargs, samples, admin_user):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(admin_user)  # every permission: the staff check never stops the POST
    url = url_for(name, kwargs, samples)
    if name in TOKEN_IN_URL:
        assert_token_in_url_refuses_unknown(client, url, name)
        return
    assert_refused_then_accepted(client, url, samples["data"].get(name, {"x": "1"}), name)


def test_every_url_refuses_an_anonymous_post_without_a_csrf_token(samples):
    """The public forms (report, reply, language, login) as a reader sends them."""
    for name, _pattern, kwargs in ENTRIES:
        client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        url = url_for(name, kwargs, samples)
        if name in TOKEN_IN_URL:
            assert_token_in_url_refuses_unknown(client, url, name)
            continue
        refused = client.post(url, samples["data"].get(name, {"x": "1"}))
        assert is_csrf_failure(refused), (name, url, refused.status_code)


def test_an_htmx_post_without_a_token_reloads_the_page_instead(samples):
    client = Client(enforce_csrf_checks=True)
    url = reverse("claims:report_create", kwargs=samples["kwargs"]["claims:report_create"])
    response = client.post(url, {"message": "x"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert response["HX-Refresh"] == "true"


def test_the_admin_refuses_posts_without_a_csrf_token(samples, admin_user):
    report, claim = samples["report"], samples["claim"]
    anonymous = Client(enforce_csrf_checks=True)
    assert_refused_then_accepted(
        anonymous,
        reverse("admin:login"),
        {"username": "admin", "password": "pw-admin", "next": "/" + settings.ADMIN_PATH},
        "admin login",
    )

    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    posts = {
        "changelist action": (
            reverse("admin:claims_report_changelist"),
            {"action": "block_reporters", "_selected_action": [report.pk]},
        ),
        "delete action": (
            reverse("admin:claims_claimsuggestion_changelist"),
            {"action": "delete_selected", "_selected_action": [], "post": "yes"},
        ),
        "change page": (
            reverse("admin:claims_claim_change", args=[claim.pk]),
            {"text": "Veranderd door een vreemde site.", "claimant": "X"},
        ),
        "delete page": (
            reverse("admin:claims_claim_delete", args=[claim.pk]),
            {"post": "yes"},
        ),
        "logout": (reverse("admin:logout"), {}),
    }
    for what, (url, data) in posts.items():
        client.cookies.pop(settings.CSRF_COOKIE_NAME, None)
        assert_refused_then_accepted(client, url, data, what)
        client.force_login(admin_user)  # the accepted logout, or a rotated session


# --- Templates ------------------------------------------------------------------------

FORM_RE = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.IGNORECASE | re.DOTALL)
POST_RE = re.compile(r"""\bmethod\s*=\s*["']?post\b""", re.IGNORECASE)
TOKEN_RE = re.compile(r"{%\s*csrf_token\s*%}")


def post_forms_without_token(text: str) -> list[str]:
    return [
        f"<form{attrs}>"
        for attrs, body in FORM_RE.findall(text)
        if POST_RE.search(attrs) and not TOKEN_RE.search(body)
    ]


def test_every_post_form_in_the_templates_has_a_csrf_token():
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 10
    missing = {
        str(path.relative_to(TEMPLATES)): forms
        for path in templates
        if (forms := post_forms_without_token(path.read_text()))
    }
    assert missing == {}


def test_the_template_scan_finds_a_post_form_without_a_token():
    assert post_forms_without_token('<form method="post" action="/x"><button></form>')
    assert post_forms_without_token("<FORM class=x METHOD=POST>\n<input></FORM>")
    assert not post_forms_without_token('<form method="get"><input></form>')
    assert not post_forms_without_token('<form method="post">{% csrf_token %}</form>')


def test_htmx_requests_send_the_token_from_the_body(reader, db):
    base = Path(TEMPLATES / "base.html").read_text()
    assert re.search(r"<body[^>]*hx-headers='\{\"X-CSRFToken\": \"\{\{ csrf_token \}\}\"\}'", base)
    html = reader.get(reverse("claims:home")).content.decode()
    assert re.search(r'<body[^>]*hx-headers=\'\{"X-CSRFToken": "[A-Za-z0-9]{64}"\}\'', html)

"""Security properties that hold for every page and template."""

import re
from pathlib import Path

from django.urls import reverse

from tests.conftest import ROOT

TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
# Output marked safe must have been built by our own escaping templates or sanitised by nh3.
SAFE_ALLOWED = {
    "articles/article_detail.html": {"content", "blank_form"},
    "claims/claim_detail.html": {"verdict.explanation"},  # nh3-sanitised in verdict services
    # the explanations compared (the only rows marked html): nh3-sanitised likewise
    "claims/desk/_verdict_compare.html": {"row.before", "row.after"},
}


def test_csp_blocks_inline_scripts_on_public_pages(reader, seed_article):
    for url in (reverse("claims:home"), seed_article.get_absolute_url()):
        policy = reader.get(url)["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["script-src"] == "'self'"
        assert "'unsafe-inline'" not in directives["script-src"]
        assert directives["frame-ancestors"] == "'none'"
        assert directives["object-src"] == "'none'"


def test_templates_have_no_inline_scripts_or_event_handlers():
    offenders = []
    for path in TEMPLATES:
        text = path.read_text()
        if INLINE_SCRIPT.search(text) or EVENT_HANDLER.search(text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_nothing_is_marked_safe_in_templates_without_a_reason():
    found = {}
    for path in TEMPLATES:
        text = path.read_text()
        name = str(path.relative_to(ROOT / "templates"))
        assert "{% autoescape off" not in text, name
        for variable in re.findall(r"{{\s*([\w.]+)\|safe\s*}}", text):
            found.setdefault(name, set()).add(variable)
    unexpected = {
        name: variables - SAFE_ALLOWED.get(name, set()) for name, variables in found.items()
    }
    assert not any(unexpected.values()), unexpected


def test_pages_send_the_usual_security_headers(reader, seed_article):
    response = reader.get(seed_article.get_absolute_url())
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_static_scripts_exist_for_every_script_tag():
    for path in TEMPLATES:
        for src in re.findall(r"<script[^>]*src=\"\{% static '([^']+)' %\}\"", path.read_text()):
            assert (ROOT / "static" / src).exists() or Path(src).name == "htmx.min.js", src

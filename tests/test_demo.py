"""python manage.py demo: the whole story once, and the same story on a second run."""

from io import StringIO

from django.core.management import call_command
from django.test import Client

from claims.models import Article, Citation, Claim, Correction, Report, Verdict


def demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = [Article, Claim, Citation, Verdict, Report, Correction]
    return {model.__name__: model.objects.count() for model in models}


def test_the_demo_carries_a_story_from_article_to_correction(db):
    first = demo()
    article = Article.objects.get()
    assert article.is_published
    claims = Claim.objects.all()
    assert claims.count() == 3
    for claim in claims:
        verdict = claim.verdicts.published().get()
        cited = list(verdict.citations.select_related("source"))
        assert len(cited) == 1 and cited[0].claim_id == claim.pk
        # the cited source is one the article lists
        assert article.citations.filter(claim=None, source=cited[0].source).exists()
        assert verdict.explanation.startswith("<p>")
    assert Report.objects.filter(state=Report.State.NEW).count() == 3
    witkoff = Report.objects.get(quote="sinds mei 2025")
    assert (witkoff.suggestion, witkoff.paragraph.position) == ("sinds januari 2025", 3)
    # a verdict change waits for the second editor, who is a demo login too
    change = Verdict.objects.get(status=Verdict.Status.IN_REVIEW)
    assert change.author.username == "editor" and change.supersedes is not None
    assert {"editor", "editor2", "reviewer", "moderator", "admin"} <= {
        line.split()[1] for line in first.splitlines() if "password" in line
    }
    assert article.published_at.date().isoformat() == "2025-12-02"
    assert Correction.objects.filter(article=article).count() == 1

    before = counts()
    second = demo()
    assert counts() == before
    logins = [line for line in first.splitlines() if "password" in line]
    assert logins and all(line in second for line in logins)  # the same passwords


def test_a_demo_claim_page_shows_its_source_and_explanation(db):
    demo()
    claim = Claim.objects.get(text__startswith="Rusland bezet")
    html = Client().get(claim.get_absolute_url()).content.decode()
    assert "Putin Issues Grave Warning" in html
    assert "<strong>inclusief de Krim</strong>" in html

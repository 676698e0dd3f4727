"""Article revisions (services.article_revise) and corrections tied to the change they
explain: the text is fixed, the earlier version is on record, readers see what changed."""

from __future__ import annotations

import re

import extruct
import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse

from claims import services
from claims.models import Article, ArticleRevision, Claim, Correction, Paragraph, Report, TextFix

OLD, NEW = "sinds mei 2025", "sinds januari 2025"


def texts(article) -> list[str]:
    return list(article.paragraphs.order_by("position").values_list("text", flat=True))


def fixed(article, old=OLD, new=NEW) -> list[str]:
    return [text.replace(old, new) for text in texts(article)]


# --- article_revise -----------------------------------------------------------------


def test_a_revision_keeps_the_whole_text_before_and_after(seed_article, editor):
    before = texts(seed_article)
    version = seed_article.render_version

    done = services.article_revise(
        article_id=seed_article.pk, user=editor, paragraphs=fixed(seed_article), note="Datum"
    )

    revision = done.revision
    assert revision.number == 1 and revision.created_by == editor and revision.note == "Datum"
    assert [p["text"] for p in revision.before["paragraphs"]] == before
    assert [p["text"] for p in revision.after["paragraphs"]] == fixed(seed_article)
    third = seed_article.paragraphs.get(position=3)
    assert revision.changes == [
        {"anchor": third.anchor, "before": before[2], "after": before[2].replace(OLD, NEW)}
    ]
    assert done.changed_anchors == [third.anchor]
    seed_article.refresh_from_db()
    assert seed_article.render_version > version  # the cached page is rebuilt


def test_nothing_changed_records_no_revision(seed_article, editor):
    done = services.article_revise(
        article_id=seed_article.pk, user=editor, paragraphs=texts(seed_article), note="Niets"
    )
    assert done.revision is None
    assert not ArticleRevision.objects.exists()


def test_a_revision_needs_a_note_and_a_paragraph(seed_article, editor):
    with pytest.raises(ValidationError):
        services.article_revise(article_id=seed_article.pk, user=editor, title="X", note=" ")
    with pytest.raises(ValidationError):
        services.article_revise(article_id=seed_article.pk, user=editor, paragraphs=[""], note="x")
    assert texts(seed_article)[0].startswith("Op dinsdag")


def test_anchors_survive_changes_moves_and_edits_elsewhere(seed_article, editor):
    rows = list(seed_article.paragraphs.order_by("position"))
    anchors = [p.anchor for p in rows]
    new_texts = [p.text for p in rows]
    new_texts[2] = new_texts[2].replace(OLD, NEW)  # changed in place
    new_texts[0], new_texts[1] = new_texts[1], new_texts[0]  # two swapped
    new_texts.insert(4, "Een nieuwe alinea over de gesprekken in december.")  # one added
    del new_texts[-1]  # the last removed

    services.article_revise(
        article_id=seed_article.pk, user=editor, paragraphs=new_texts, note="Herschikt"
    )

    now = list(seed_article.paragraphs.order_by("position"))
    assert [p.text for p in now] == new_texts
    assert [p.anchor for p in now[:4]] == [anchors[1], anchors[0], anchors[2], anchors[3]]
    assert now[2].pk == rows[2].pk  # the corrected paragraph kept its row and anchor
    assert now[4].anchor not in anchors
    assert not Paragraph.objects.filter(pk=rows[-1].pk).exists()


def test_claims_are_found_again_or_sent_back_for_re_review(seed_article, editor, scale):
    paragraphs = {p.position: p for p in seed_article.paragraphs.all()}
    moved = services.claim_create(
        text="Witkoff maakte zijn zesde reis naar Rusland.",
        article=seed_article,
        paragraph=paragraphs[3],
        quote="als zijn zesde in 2025 gemaakt",
    ).claim
    gone = services.claim_create(
        text="Oesjakov noemde voorstellen min of meer acceptabel.",
        article=seed_article,
        paragraph=paragraphs[2],
        quote="'min of meer acceptabel'",
    ).claim
    services.verdict_publish(claim=gone, rating=scale.ratings.get(code="true"), summary="Ja.")
    new_texts = texts(seed_article)
    new_texts[2] = "Correctie vooraf. " + new_texts[2].replace(OLD, NEW)
    new_texts[1] = new_texts[1].replace("'min of meer acceptabel'", "deels acceptabel")

    done = services.article_revise(
        article_id=seed_article.pk, user=editor, paragraphs=new_texts, note="Twee fouten"
    )

    appearance = moved.appearances.get()
    assert appearance.paragraph_id == paragraphs[3].pk
    assert new_texts[2][appearance.start : appearance.end] == "als zijn zesde in 2025 gemaakt"
    gone.refresh_from_db()
    assert done.claims_rereview == [gone.pk]
    assert gone.status == Claim.Status.NEEDS_REREVIEW
    assert "'min of meer acceptabel'" in gone.rereview_reason
    assert gone.appearances.get().start is None


def test_import_articles_takes_the_articles_own_date(tmp_path, seed_bytes, db):
    from io import StringIO

    from django.core.management import call_command

    path = tmp_path / "artikel.txt"
    path.write_bytes(seed_bytes)
    out = StringIO()
    call_command("import_articles", str(path), "--published", "2025-12-02T21:30", stdout=out)
    article = Article.objects.get()
    assert article.published_at.isoformat().startswith("2025-12-02T")
    assert "published now" not in out.getvalue()

    again = tmp_path / "ander.txt"
    again.write_bytes(seed_bytes.replace(b"Gesprekken Poetin", b"Overleg Poetin"))
    out = StringIO()
    call_command("import_articles", str(again), stdout=out)
    assert "published now: no --published date was given" in out.getvalue()


def test_reimporting_an_edited_file_is_a_revision(tmp_path, seed_bytes, db):
    from io import StringIO

    from django.core.management import call_command

    path = tmp_path / "artikel.txt"
    path.write_bytes(seed_bytes)
    call_command("import_articles", str(path), stdout=StringIO())
    path.write_bytes(seed_bytes.replace(OLD.encode(), NEW.encode()))
    call_command("import_articles", str(path), stdout=StringIO())
    revision = ArticleRevision.objects.get()
    assert [change["after"].count(NEW) for change in revision.changes] == [1]
    assert revision.note == "opnieuw geïmporteerd uit het bestand"


# --- Accepting a report with a text fix ------------------------------------------------


@pytest.fixture
def witkoff_report(seed_article, reviewer):
    paragraph = seed_article.paragraphs.get(position=3)
    report = services.report_create(
        article=seed_article,
        paragraph=paragraph,
        message="Witkoff is gezant sinds januari 2025.",
        quote=OLD,
        suggestion=NEW,
    )
    services.report_claim(report_id=report.pk, user=reviewer)
    return report


def test_accepting_with_a_fix_revises_the_article_and_links_the_correction(
    witkoff_report, reviewer, seed_article
):
    paragraph = seed_article.paragraphs.get(position=3)
    proposal = services.report_fix_proposal(Report.objects.get(pk=witkoff_report.pk))
    assert proposal == paragraph.text.replace(OLD, NEW)

    accepted = services.report_accept(
        report_id=witkoff_report.pk,
        user=reviewer,
        correction_text="Witkoff is gezant sinds januari 2025, niet sinds mei.",
        paragraph_text=proposal,
    )

    revision = ArticleRevision.objects.get()
    correction = Correction.objects.get()
    assert accepted.revision == revision and accepted.correction == correction
    assert correction.revision == revision and correction.anchors == [paragraph.anchor]
    assert set(correction.reports.all()) == {witkoff_report}
    paragraph.refresh_from_db()
    assert NEW in paragraph.text and OLD not in paragraph.text
    assert correction.text_changes == [
        {"anchor": paragraph.anchor, "before": proposal.replace(NEW, OLD), "after": proposal}
    ]
    assert Report.objects.get(pk=witkoff_report.pk).state == Report.State.ACCEPTED


def test_a_failing_accept_leaves_neither_revision_nor_correction(
    witkoff_report, reviewer, seed_article, monkeypatch
):
    def broken(*args, **kwargs):
        raise DatabaseError("mail queue down")

    monkeypatch.setattr("claims.services.reports._report_outcome_tell", broken)
    with pytest.raises(DatabaseError):
        services.report_accept(
            report_id=witkoff_report.pk,
            user=reviewer,
            correction_text="Gezant sinds januari.",
            paragraph_text=services.report_fix_proposal(witkoff_report),
        )
    assert not ArticleRevision.objects.exists()
    assert not Correction.objects.exists()
    assert OLD in seed_article.paragraphs.get(position=3).text
    assert Report.objects.get(pk=witkoff_report.pk).state == Report.State.IN_REVIEW


def test_a_fix_without_saying_what_changed_is_refused(witkoff_report, reviewer):
    with pytest.raises(services.ReportActionRefused):
        services.report_accept(
            report_id=witkoff_report.pk,
            user=reviewer,
            claim_rereview=False,
            paragraph_text=services.report_fix_proposal(witkoff_report),
        )
    assert not ArticleRevision.objects.exists()


def test_a_reviewer_without_correct_article_proposes_the_fix_to_the_editors(
    witkoff_report, reviewer, editor, seed_article
):
    from django.contrib.auth.models import Permission

    reviewer.groups.get().permissions.remove(Permission.objects.get(codename="correct_article"))
    reviewer = type(reviewer).objects.get(pk=reviewer.pk)  # permissions are cached per object
    proposal = services.report_fix_proposal(witkoff_report)

    accepted = services.report_accept(
        report_id=witkoff_report.pk,
        user=reviewer,
        correction_text="Gezant sinds januari 2025.",
        paragraph_text=proposal,
    )

    fix = TextFix.objects.get()
    assert accepted.text_fix == fix and accepted.correction is None
    assert not ArticleRevision.objects.exists() and not Correction.objects.exists()
    assert OLD in seed_article.paragraphs.get(position=3).text

    applied = services.text_fix_apply(text_fix_id=fix.pk, user=editor)

    assert NEW in seed_article.paragraphs.get(position=3).text
    assert applied.correction.revision == applied.revision
    assert list(applied.correction.reports.all()) == [witkoff_report]
    fix.refresh_from_db()
    assert fix.status == TextFix.Status.APPLIED and fix.decided_by == editor
    with pytest.raises(services.ReportActionRefused):
        services.text_fix_apply(text_fix_id=fix.pk, user=editor)


# --- What readers see ---------------------------------------------------------------


@pytest.fixture
def corrected(witkoff_report, reviewer, seed_article):
    services.report_accept(
        report_id=witkoff_report.pk,
        user=reviewer,
        correction_text="Witkoff is gezant sinds januari 2025, niet sinds mei.",
        paragraph_text=services.report_fix_proposal(witkoff_report),
    )
    return Correction.objects.get()


def test_the_article_marks_the_corrected_paragraph_and_shows_the_change(corrected, reader):
    article = corrected.article
    html = reader.get(article.get_absolute_url()).content.decode()
    anchor = corrected.anchors[0]
    paragraph = re.search(rf'<p id="{anchor}"[^>]*>(.*?)</p>', html, re.S)
    assert 'class="corrected"' in paragraph.group(0)
    assert NEW in paragraph.group(1) and OLD not in paragraph.group(1)
    assert f'href="#correction-{corrected.pk}"' in paragraph.group(1)
    box = html[html.index(f'id="correction-{corrected.pk}"') :]
    box = box[: box.index("</li>")]
    assert re.search(r"<del>.*?mei</del>", box) and re.search(r"<ins>.*?januari</ins>", box)
    assert "Er stond:" in box and "Er staat nu:" in box  # readable without colour
    assert "Bijgewerkt" in html and "Gepubliceerd" in html


def test_the_json_ld_has_date_modified_and_the_change(corrected, reader):
    html = reader.get(corrected.article.get_absolute_url()).content.decode()
    data = extruct.extract(html, syntaxes=["json-ld"])["json-ld"]
    article = next(item for item in data if item["@type"] == "NewsArticle")
    assert article["dateModified"] > article["datePublished"]
    comment = article["correction"][0]
    assert comment["@type"] == "CorrectionComment"
    assert "“mei” → “januari”" in comment["text"]


def test_the_corrections_log_and_feeds_carry_the_change(corrected, reader):
    log = reader.get(reverse("claims:corrections")).content.decode()
    assert re.search(r"<del>.*?mei</del>", log) and re.search(r"<ins>.*?januari</ins>", log)
    rss = reader.get(reverse("claims:corrections_rss")).content.decode()
    assert "januari" in rss and "&lt;del&gt;" in rss  # the HTML description, escaped in XML


def test_earlier_versions_stay_readable_for_staff_only(corrected, editor):
    revision = corrected.revision
    url = reverse("claims:desk_revision", args=[corrected.article.slug, revision.number])
    assert Client().get(url).status_code == 302  # to the login page
    staff = Client()
    staff.force_login(editor)
    html = staff.get(url).content.decode()
    assert "Versie 1" in html and "Witkoff is gezant sinds januari 2025" in html
    assert re.search(r"<del>.*?mei</del>", html)


def test_the_article_page_query_count_stays_fixed_with_revisions_and_marks(
    corrected, editor, reader, scale, django_assert_num_queries
):
    article = corrected.article
    claim = services.claim_create(
        text="Witkoff reisde zes keer.", article=article, quote="zesde", match=False
    ).claim
    services.verdict_publish(claim=claim, rating=scale.ratings.get(code="true"), summary="Ja.")
    for n in (0, 1, 3, 4):  # more versions, corrections and marked paragraphs
        rows = texts(article)
        rows[n] = rows[n] + f" (aangevuld {n})"
        services.article_correct(
            article_id=article.pk,
            user=editor,
            note=f"Aanvulling {n}",
            correction_text=f"Aangevuld {n}.",
            paragraphs=rows,
        )
    assert article.revisions.count() == 5

    with django_assert_num_queries(8):  # the article, then seven for what it shows
        html = reader.get(article.get_absolute_url()).content.decode()

    assert html.count('class="corrected"') == 5
    assert html.count('class="corrected-mark"') == 5
    assert html.count('class="text-change"') == 5

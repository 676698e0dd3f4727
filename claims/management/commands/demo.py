"""python manage.py demo: idempotent demo data.

The seed article (published on its own date, 2 December 2025), staff users editor,
editor2, reviewer, moderator and admin (passwords printed, kept in var/demo-logins.json so
a second run prints the same ones), a rating scale, three claims from the seed, each
citing one of the article's sources, with verdicts that rest on them, one verdict change
waiting for a second editor, and three reader reports in the queue, one of them the
seed's real error with the reader's proposed wording (Witkoff is envoy since January
2025, not "sinds mei 2025").
"""

from __future__ import annotations

import json
import secrets
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from claims import services
from claims.importers.seed import seed_read
from claims.models import Article, Claim, Rating, RatingScale, Verdict
from claims.roles import roles_ensure
from claims.text.links import site_url

# A copy of ../shared/seeds/000_1aac1ae9ab6f161f.txt, so the demo runs from a lone clone.
SEED = Path(__file__).resolve().parents[2] / "fixtures" / "demo_article.txt"

USERS = [
    ("editor", "Editor"),
    ("editor2", "Editor"),  # the second editor who approves the first one's changes
    ("reviewer", "Reviewer"),
    ("moderator", "Moderator"),
    ("admin", "Admin"),
]
# The seed article's own publication date (its first sentence names the day).
PUBLISHED = datetime(2025, 12, 2, 21, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))

# Other publishers' ratings that mean the same, for imported ClaimReviews.
ALIASES = {
    "true": "Correct\nVerdadero\nVrai\nRichtig",
    "misleading": "Engañoso\nEnganoso\nTrompeur\nIrreführend",
    "false": "Falso\nFaux\nFalsch\nIncorrect\nFake\nOnjuist",
}

SCALE = [
    # code, Dutch, English, value, colour
    ("true", "Waar", "True", 5, "#1f7a3a"),
    ("mostly-true", "Grotendeels waar", "Mostly true", 4, "#4f8a2b"),
    ("half-true", "Half waar", "Half true", 3, "#8a6d00"),
    ("misleading", "Misleidend", "Misleading", 2, "#b35900"),
    ("false", "Onwaar", "False", 1, "#b3261e"),
    ("unproven", "Onbewezen", "Unproven", 0, "#56565f"),
]

CLAIMS = [
    # paragraph number, exact passage, claim, claimant, date, rating, summary, the start
    # of the title of the article's source it cites, explanation
    (
        1,
        "Op dinsdag 2 december 2025 vond in het Kremlin een bijeenkomst plaats",
        "Op 2 december 2025 spraken Poetin en Witkoff bijna vijf uur in het Kremlin.",
        "Kremlin",
        date(2025, 12, 2),
        "true",
        "Het Kremlin en de Amerikaanse delegatie bevestigden datum en duur van het gesprek.",
        "Kremlin calls Russia-U.S. talks",
        "<p>Het Kremlin meldde na afloop dat het gesprek met Witkoff en Kushner op 2 december "
        "bijna vijf uur had geduurd; de Amerikaanse kant noemde dezelfde datum.</p>",
    ),
    (
        2,
        "de controle over de circa 20% van het Oekraïense grondgebied dat momenteel door "
        "Rusland wordt bezet",
        "Rusland bezet circa 20% van het Oekraïense grondgebied, inclusief de Krim.",
        "Joeri Oesjakov",
        date(2025, 12, 2),
        "mostly-true",
        "Schattingen liggen tussen 18 en 20 procent; 'circa 20%' is iets naar boven afgerond.",
        "Putin Issues Grave Warning",
        "<p>Schattingen van het bezette deel van Oekraïne, <strong>inclusief de Krim</strong>, "
        "liggen tussen 18 en 20 procent. 'Circa 20%' klopt in grote lijnen maar rondt naar "
        "boven af.</p>",
    ),
    (
        5,
        "Het oorspronkelijke 28-puntenplan van de Trump-regering was op 23 november 2025 in "
        "Genève herzien naar 19 punten",
        "Het 28-puntenplan werd op 23 november 2025 in Genève herzien naar 19 punten.",
        "Trump-regering",
        date(2025, 11, 23),
        "true",
        "Meerdere bronnen melden de herziening in Genève op 23 november.",
        "Kremlin calls Russia-U.S. talks",
        "<p>Het plan van 28 punten werd tijdens overleg met Oekraïne in Genève teruggebracht "
        "tot 19 punten; berichten over de gesprekken noemen die datum.</p>",
    ),
]

REPORTS = [
    # paragraph, what is wrong, quoted passage, suggested wording, evidence
    (2, "Volgens mij is het eerder 18% dan 20%. Graag nakijken.", "circa 20%", "", []),
    (None, "De naam van de gezant wordt soms anders gespeld.", "", "", []),
    (
        3,
        "Witkoff is al sinds januari 2025 speciaal gezant, niet sinds mei 2025: Trump "
        "benoemde hem direct na zijn inauguratie.",
        "sinds mei 2025",
        "sinds januari 2025",
        ["https://en.wikipedia.org/wiki/Steve_Witkoff"],
    ),
]
# A change to a published verdict, written by "editor", waiting for "editor2".
CHANGE = (
    "Rusland bezet circa 20%",
    "half-true",
    "Recente schattingen komen op 18 tot 19 procent uit; 'circa 20%' is te ruim.",
)


CORRECTED = (
    "Het gesprek duurde bijna vijf uur, niet precies vijf uur.",
    "bijna vijf uur",
    "Verduidelijking: het gesprek duurde bijna vijf uur; eerdere berichten spraken van vijf uur.",
)


class Command(BaseCommand):
    help = "Create idempotent demo data and print the staff logins."

    def handle(self, *args, **options) -> None:
        logins = self._users()
        with transaction.atomic():
            article = self._article()
            scale = self._scale()
            self._claims(article, scale)
            self._verdict_change(scale)
            self._reports(article)
        url = site_url(article.get_absolute_url())
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"  Seed article: {url}")
        self.stdout.write(f"  Admin:        {site_url('/' + settings.ADMIN_PATH)}")
        for username, password in logins.items():
            self.stdout.write(f"  Login {username:<10} password {password}")

    def _users(self) -> dict[str, str]:
        path = settings.VAR_DIR / "demo-logins.json"
        saved = json.loads(path.read_text()) if path.exists() else {}
        User = get_user_model()
        roles_ensure()  # idempotent; the roles migration normally made them
        logins = {}
        for username, role in USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": True, "email": f"{username}@example.org"}
            )
            password = saved.get(username)
            if created or not password or not user.check_password(password):
                password = secrets.token_urlsafe(9)
                user.set_password(password)
                user.is_staff = True
                user.save()
            user.groups.add(Group.objects.get(name=role))
            logins[username] = password
        path.write_text(json.dumps(logins, indent=2))
        path.chmod(0o600)
        return logins

    def _article(self) -> Article:
        seed = seed_read(SEED.read_bytes(), max_bytes=settings.FACTCHECK_IMPORT_MAX_BYTES)
        return services.article_import(seed=seed, published_at=PUBLISHED).article

    def _scale(self) -> RatingScale:
        scale = RatingScale.objects.filter(name="Factcheck", is_active=True).first()
        if scale is None:
            scale = RatingScale.objects.create(
                name="Factcheck", version=1, best_value=5, worst_value=1
            )
            for position, (code, nl, en, value, color) in enumerate(SCALE):
                Rating.objects.create(
                    scale=scale,
                    code=code,
                    label_nl=nl,
                    label_en=en,
                    value=value,
                    color=color,
                    position=position,
                    aliases=ALIASES.get(code, ""),
                )
        return scale

    def _claims(self, article: Article, scale: RatingScale) -> None:
        editor = get_user_model().objects.get(username="editor")
        paragraphs = {p.position: p for p in article.paragraphs.all()}
        sources = [c.source for c in article.citations.filter(claim=None).select_related("source")]
        for number, quote, text, claimant, when, code, summary, cites, explanation in CLAIMS:
            if Claim.objects.filter(text=text).exists():
                continue
            claim = services.claim_create(
                text=text,
                article=article,
                paragraph=paragraphs[number],
                quote=quote,
                claimant=claimant,
                claim_date=when,
                created_by=editor,
            ).claim
            source = next(source for source in sources if source.title.startswith(cites))
            citation = services.citation_add(claim=claim, source=source, user=editor)
            services.verdict_publish(
                claim=claim,
                rating=scale.ratings.get(code=code),
                summary=summary,
                explanation=explanation,
                citations=[citation],
                author=editor,
            )

    def _verdict_change(self, scale: RatingScale) -> None:
        starts, code, summary = CHANGE
        claim = Claim.objects.filter(text__startswith=starts).first()
        if claim is None or claim.verdicts.exclude(status=Verdict.Status.PUBLISHED).exists():
            return
        editor = get_user_model().objects.get(username="editor")
        published = claim.verdicts.published().get()
        services.verdict_save(
            claim=claim,
            rating=scale.ratings.get(code=code),
            summary=summary,
            explanation=published.explanation,
            citations=list(published.citations.all()),
            author=editor,
            submit=True,
        )

    def _reports(self, article: Article) -> None:
        if article.reports.exists():
            return
        paragraphs = {p.position: p for p in article.paragraphs.all()}
        for number, message, quote, suggestion, evidence in REPORTS:
            services.report_create(
                article=article,
                paragraph=paragraphs.get(number) if number else None,
                message=message,
                quote=quote,
                suggestion=suggestion,
                evidence_urls=evidence,
                language="nl",
            )
        # One report already handled, so the corrections log and feeds show something.
        reviewer = get_user_model().objects.get(username="reviewer")
        handled = services.report_create(
            article=article,
            paragraph=paragraphs.get(1),
            message=CORRECTED[0],
            quote=CORRECTED[1],
            language="nl",
        )
        services.report_claim(report_id=handled.pk, user=reviewer)
        services.report_accept(
            report_id=handled.pk,
            user=reviewer,
            correction_kind="clarification",
            correction_text=CORRECTED[2],
            resolution="Dank voor je melding; we hebben het artikel verduidelijkt.",
        )

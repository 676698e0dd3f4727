"""python manage.py export_claimreview [--out FILE] [--external]"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from claims import services
from claims.models import ExternalReview


class Command(BaseCommand):
    help = (
        "Write the newsroom's published ClaimReviews as a schema.org DataFeed (JSON). "
        "With --external, the imported reviews of other publishers instead."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", metavar="FILE", help="write here instead of stdout")
        parser.add_argument(
            "--external", action="store_true", help="export imported reviews of others"
        )

    def handle(self, *args, out: str | None, external: bool, **options) -> None:
        if external:
            reviews = [services.claimreview_for_external(r) for r in ExternalReview.objects.all()]
            feed = services.claimreview_feed(reviews)
        else:
            feed = services.claimreview_feed_own()
        text = json.dumps(feed, ensure_ascii=False, indent=2) + "\n"
        count = len(feed["dataFeedElement"])
        if out:
            Path(out).write_text(text, encoding="utf-8")
            self.stderr.write(f"{count} ClaimReview(s) written to {out}")
        else:
            self.stdout.write(text, ending="")

"""python manage.py check_url URL [--json]: one real fetch through claims/fetch.py.

Prints the outcome (ok or the error code), the HTTP status, the final URL and the page
title, and saves nothing. The exit status is 1 when the fetch failed.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from claims import fetch
from claims.importers.page import page_extract


class Command(BaseCommand):
    help = "Fetch one URL through the guarded fetcher and print the outcome; saves nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("url")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options) -> None:
        result = fetch.url_fetch(options["url"])
        page = None
        if result.ok:
            page = page_extract(
                result.body,
                content_type=result.content_type,
                charset=result.charset,
                url=result.final_url,
            )
        outcome = {
            **result.as_dict(),
            "outcome": "ok" if result.ok else result.error,
            "title": page.title if page else None,
            "canonical_url": (page.canonical_url or None) if page else None,
            "language": (page.language or None) if page else None,
            "text_chars": len(page.text) if page else 0,
            "claimreview": bool(page and page.claimreview),
        }
        if options["json"]:
            self.stdout.write(json.dumps(outcome, ensure_ascii=False))
        else:
            self.stdout.write(outcome["outcome"])
            for name in ("status", "final_url", "title", "content_type", "error", "detail"):
                value = outcome[name]
                self.stdout.write(f"  {name}: {'-' if value in (None, '') else value}")
        if not result.ok:
            raise SystemExit(1)

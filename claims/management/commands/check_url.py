"""python manage.py check_url URL [--json]: one real fetch through claims/fetch.py.

Prints the outcome (ok or the error code), the HTTP status, the final URL and the page
title, what a fetch by the workers would capture (the WARC records, their size and the
body's digest) and whether the web archive would be asked; it saves nothing. The exit
status is 1 when the fetch failed.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand

from claims import fetch, services
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
            "capture": _capture(result),
            "archive": _archive(),
        }
        if options["json"]:
            self.stdout.write(json.dumps(outcome, ensure_ascii=False))
        else:
            self.stdout.write(outcome["outcome"])
            for name in ("status", "final_url", "title", "content_type", "error", "detail"):
                value = outcome[name]
                self.stdout.write(f"  {name}: {'-' if value in (None, '') else value}")
            capture = outcome["capture"]
            if capture:
                records = " ".join(capture["records"])
                off = "" if capture["enabled"] else "off (FACTCHECK_WARC_CAPTURE=0); would be "
                self.stdout.write(
                    f"  capture: {off}{capture['warc_bytes']} bytes of WARC ({records}); "
                    f"body {capture['body_bytes']} bytes as received, {capture['digest']}"
                )
            else:
                self.stdout.write("  capture: none (nothing is captured of a failed fetch)")
            self.stdout.write(f"  archive: {outcome['archive']['summary']}")
        if not result.ok:
            raise SystemExit(1)


def _capture(result: fetch.FetchResult) -> dict | None:
    """What a worker's fetch of this URL would write to the captures storage."""
    if not result.ok or not result.exchanges:
        return None
    built = services.capture_build(result)
    page = result.exchanges[-1]
    return {
        "records": built.records,
        "warc_bytes": len(built.data),
        "body_bytes": len(page.body),
        "content_encoding": page.response_header("Content-Encoding") or None,
        "digest": built.digest,
        "enabled": settings.FACTCHECK_WARC_CAPTURE,
    }


def _archive() -> dict:
    """Whether a cited source would go to the web archive, where, and how fast."""
    if not services.archive_enabled():
        return {"enabled": False, "summary": "off (FACTCHECK_ARCHIVE_SPN_URL is empty)"}
    per_minute = services.archive_per_minute()
    keys = "with keys" if settings.FACTCHECK_ARCHIVE_S3_ACCESS else "anonymous"
    return {
        "enabled": True,
        "url": f"{settings.FACTCHECK_ARCHIVE_SPN_URL}/save",
        "per_minute": per_minute,
        "summary": (
            f"a cited source would be sent to {settings.FACTCHECK_ARCHIVE_SPN_URL}/save "
            f"({keys}, at most {per_minute} a minute)"
        ),
    }

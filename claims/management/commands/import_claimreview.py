"""python manage.py import_claimreview PATH_OR_URL [--json]"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from claims import fetch, services
from claims.management.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Import other publishers' ClaimReview markup: a JSON object or list, JSON Lines, "
        "a DataFeed, or an HTML page with JSON-LD; from a file or an http(s) URL."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("source", metavar="PATH_OR_URL")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, source: str, json: bool, **options) -> None:
        max_bytes = settings.FACTCHECK_CLAIMREVIEW_MAX_BYTES
        base_url = ""
        if source.startswith(("http://", "https://")):
            page = fetch.url_fetch(source, max_bytes=max_bytes)
            if not page.ok:
                raise CommandError(f"{source}: cannot fetch ({page.error})")
            data, base_url = page.body, page.final_url or source
        else:
            path = Path(source)
            try:
                with path.open("rb") as handle:
                    data = handle.read(max_bytes + 1)
            except OSError as exc:
                raise CommandError(f"{source}: {exc.strerror or exc}") from None
            if len(data) > max_bytes:
                raise CommandError(f"{source}: larger than {max_bytes} bytes")
        with progress_bar(unit="review", quiet=json) as bar:

            def step(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            result = services.claimreview_import(
                data=data, origin=source, base_url=base_url, on_progress=step
            )
        summary = {
            "imported": result.imported,
            "updated": result.updated,
            "linked": result.linked,
            "failed": len(result.errors),
            "warnings": len(result.warnings),
        }
        if json:
            payload = {**summary, "errors": result.errors, "warning_lines": result.warnings}
            self.stdout.write(_dumps(payload))
        else:
            for line in result.warnings:
                self.stdout.write(f"{source}: warning: {line}")
            for line in result.errors:
                self.stderr.write(f"{source}: error: {line}")
            self.stdout.write(", ".join(f"{n} {what}" for what, n in summary.items()))
        if result.errors and not (result.imported or result.updated):
            raise CommandError("nothing could be imported", returncode=1)


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)

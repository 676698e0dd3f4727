"""python manage.py import_articles PATH... [--published DATE] [--draft] [--json]

``--published`` gives the articles their own publication date (``2025-12-02`` or
``2025-12-02T21:30``, in the site's time zone). Without it a new published article is
dated now, and each line says so: the import date never stands in silently."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from claims import services
from claims.importers.seed import SeedFormatError, seed_read
from claims.management.progress import progress_bar


def _paths(args: list[str]) -> list[Path]:
    paths: list[Path] = []
    for arg in args:
        path = Path(arg)
        if path.is_dir():
            paths.extend(sorted(p for p in path.rglob("*.txt") if p.is_file()))
        else:
            paths.append(path)
    return paths


class Command(BaseCommand):
    help = "Import seed-format article text files (or folders of them). Idempotent."

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--draft", action="store_true", help="import as unpublished drafts")
        parser.add_argument(
            "--published",
            type=_published,
            metavar="DATE",
            help="the articles' publication date: YYYY-MM-DD or YYYY-MM-DDTHH:MM",
        )

    def handle(
        self, *args, paths: list[str], json: bool, draft: bool, published, **options
    ) -> None:
        results = []
        bar = progress_bar(_paths(paths), unit="file", quiet=json)
        for path in bar:
            results.append(self._import_one(path, publish=not draft, published_at=published))
            bar.set_postfix_str(results[-1]["status"])
        totals = {
            status: sum(r["status"] == status for r in results)
            for status in ("imported", "updated", "unchanged", "failed")
        }
        totals["duplicate_sources"] = sum(
            len(r.get("duplicate_sources", [])) for r in results if r["status"] != "unchanged"
        )
        if json:
            self.stdout.write(_json_dumps({**totals, "files": results}))
        else:
            for r in results:
                if r["status"] == "failed":
                    self.stderr.write(f"{r['path']}: error: {r['error']}")
                    continue
                line = f"{r['path']}: {r['status']} “{r['title']}”"
                line += f" ({r['paragraphs']} paragraphs, {r['sources']} sources"
                line += f", {r['related']} related)"
                if r["dated_now"]:
                    line += "; published now: no --published date was given"
                self.stdout.write(line)
                for dup in r["duplicate_sources"] if r["status"] != "unchanged" else []:
                    self.stdout.write(f"{r['path']}: duplicate source merged: {dup}")
            summary = ", ".join(f"{n} {status}" for status, n in totals.items())
            self.stdout.write(summary)
        if totals["failed"]:
            raise CommandError(f"{totals['failed']} file(s) could not be imported", returncode=1)

    def _import_one(self, path: Path, *, publish: bool, published_at) -> dict:
        try:
            with path.open("rb") as handle:
                data = handle.read(settings.FACTCHECK_IMPORT_MAX_BYTES + 1)
            seed = seed_read(data, max_bytes=settings.FACTCHECK_IMPORT_MAX_BYTES)
        except OSError as exc:
            return {"path": str(path), "status": "failed", "error": exc.strerror or str(exc)}
        except SeedFormatError as exc:
            return {"path": str(path), "status": "failed", "error": str(exc)}
        result = services.article_import(seed=seed, publish=publish, published_at=published_at)
        article = result.article
        return {
            "path": str(path),
            "status": result.status,
            "article": article.slug,
            "url": article.get_absolute_url(),
            "title": article.title,
            "byline": article.byline,
            "language": article.language,
            "paragraphs": len(seed.paragraphs),
            "source_lines": seed.source_lines,
            "sources": len(seed.sources),
            "duplicate_sources": result.duplicate_sources,
            "related": len(seed.related),
            "published_at": article.published_at.isoformat() if article.published_at else None,
            "dated_now": result.status == "imported" and publish and published_at is None,
        }


def _published(value: str) -> datetime:
    """A date or date and time, in the site's time zone."""
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        ) from None
    return timezone.make_aware(when) if timezone.is_naive(when) else when


def _json_dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)

"""Write the open-data dump now (beat does it daily), and print what was written."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from claims import services


class Command(BaseCommand):
    help = "Write the open-data dump now: JSON Lines, CSV and the ClaimReview DataFeed."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, json: bool = False, **options) -> None:
        dump = services.opendata_dump_write()
        summary = {
            "as_of": dump.made_at.isoformat(timespec="seconds"),
            "folder": dump.folder,
            "license": dump.license,
            "seconds": dump.seconds,
            "files": {name: info["bytes"] for name, info in dump.files.items()},
        }
        if json:
            self.stdout.write(_dumps(summary))
            return
        self.stdout.write(f"Open-data dump as of {summary['as_of']} ({dump.seconds:.1f} s):")
        for name, size in summary["files"].items():
            self.stdout.write(f"  {name}: {size:,} bytes")


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)

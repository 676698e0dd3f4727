"""python manage.py refresh_sources [--due|--all|--source ID] [--sync] [--archive] [--json]

Without --sync the fetches go to the workers' ``fetch`` queue; with --sync they run here,
one after another, with a progress bar on a terminal. A summary follows either way.

With --archive it asks the web archive (Save Page Now 2) for every cited source that it
has no copy of and no request under way for (or for --source ID): the requests go to the
workers, or with --sync run here, each waiting for its turn under the archive's limit.
"""

from __future__ import annotations

import json
from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from claims import services
from claims.management.progress import progress_bar


class Command(BaseCommand):
    help = "Fetch the due sources (or all, or one): send them to the workers or run here."

    def add_arguments(self, parser) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--due", action="store_true", help="sources due now (default)")
        which.add_argument("--all", action="store_true", help="every source with a URL")
        which.add_argument("--source", type=int, metavar="ID", help="one source")
        parser.add_argument("--sync", action="store_true", help="fetch here, not in workers")
        parser.add_argument(
            "--archive",
            action="store_true",
            help="ask the web archive for the cited sources it has no copy of",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options) -> None:
        if options["archive"]:
            return self._archive(options)
        which = "all" if options["all"] else "due"
        ids = services.sources_select(which=which, source_id=options["source"])
        if options["source"] is not None and not ids:
            raise CommandError(f"source {options['source']} does not exist or has no URL")
        if options["sync"]:
            summary = self._fetch_here(ids, quiet=options["json"])
        else:
            sent = services.sources_fetch_now(ids=ids)
            summary = {"sources": len(ids), "sent": len(sent)}
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        elif options["sync"]:
            counts = ", ".join(f"{n} {outcome}" for outcome, n in summary["outcomes"].items())
            self.stdout.write(f"Fetched {summary['sources']} sources: {counts or 'nothing'}.")
            for code, n in summary["errors"].items():
                self.stdout.write(f"  {code}: {n}")
        else:
            sent, total = summary["sent"], summary["sources"]
            self.stdout.write(f"Sent {sent} of {total} sources to the fetch queue.")

    def _fetch_here(self, ids: list[int], *, quiet: bool) -> dict:
        outcomes, errors = Counter(), Counter()
        bar = progress_bar(ids, unit="source", quiet=quiet)
        for source_id in bar:
            done = services.source_fetch(source_id=source_id, force=True)
            outcomes[done.outcome] += 1
            if done.error:
                errors[done.error] += 1
            bar.set_postfix_str(done.outcome)
        return {"sources": len(ids), "outcomes": dict(outcomes), "errors": dict(errors)}

    def _archive(self, options) -> None:
        if not services.archive_enabled():
            raise CommandError("archiving is off: FACTCHECK_ARCHIVE_SPN_URL is empty")
        ids = services.sources_missing_memento(source_id=options["source"])
        outcomes, errors = Counter(), Counter()
        bar = progress_bar(ids, unit="source", quiet=options["json"])
        for source_id in bar:
            for memento in services.sources_archive(ids=[source_id]):
                if options["sync"]:
                    memento = services.memento_archive_now(memento=memento)
                outcomes[memento.state] += 1
                if memento.error_code:
                    errors[memento.error_code] += 1
                bar.set_postfix_str(memento.state)
        summary = {"sources": len(ids), "outcomes": dict(outcomes), "errors": dict(errors)}
        if options["json"]:
            self.stdout.write(json.dumps(summary))
            return
        counts = ", ".join(f"{n} {state}" for state, n in outcomes.items())
        verb = "Archived" if options["sync"] else "Asked the web archive for"
        self.stdout.write(f"{verb} {len(ids)} sources without a copy: {counts or 'nothing'}.")
        for code, n in errors.items():
            self.stdout.write(f"  {code}: {n}")

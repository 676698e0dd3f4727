"""Open data: the daily dumps of everything public, and how fresh they are.

``opendata_dump_write`` writes, to the ``opendata`` storage under a folder of its own:
claims and corrections as JSON Lines (the API's own shape, one object a line, the first
line the file's metadata) and as CSV (one row each, with a CSVW metadata file beside
it), the ClaimReview DataFeed, and a Data Package (``datapackage.json``) that lists
them. Each states the licence (``FACTCHECK_OPENDATA_LICENSE``) and the time the data
was read ("as of"). The row naming the folder is written only once every file is, so
the newest row always names whole files; old dumps beyond ``FACTCHECK_OPENDATA_KEEP``
are deleted. Beat asks hourly (``opendata_dump_due``) and a dump is written when the
last is a day old; one older than ``FACTCHECK_OPENDATA_STALE_HOURS`` shows on /healthz
and the dashboard.

This module sits last in the services' import order.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.utils import timezone
from rest_framework.utils.encoders import JSONEncoder

from claims.models import OpenDataDump
from claims.services.claims import claimreview_feed, claimreview_for_claim, claims_for_claimreview
from claims.text.links import site_url

log = logging.getLogger(__name__)

JSONL = "application/x-ndjson; charset=utf-8"
CSV = "text/csv; charset=utf-8"
JSON = "application/json; charset=utf-8"
LD_JSON = "application/ld+json; charset=utf-8"
# name → (content type, what it holds)
FILES = {
    "claims.jsonl": (JSONL, "Every public claim as the API gives it, one a line."),
    "claims.csv": (CSV, "Every public claim, one row each, with its current verdict."),
    "claims.csv-metadata.json": (JSON, "CSVW metadata of claims.csv."),
    "corrections.jsonl": (JSONL, "Every correction as the API gives it, one a line."),
    "corrections.csv": (CSV, "Every correction, one row each."),
    "corrections.csv-metadata.json": (JSON, "CSVW metadata of corrections.csv."),
    "claimreview.json": (LD_JSON, "The newsroom's ClaimReviews as a schema.org DataFeed."),
    "datapackage.json": (JSON, "A Frictionless Data Package that lists the files."),
}
CHUNK = 500


def opendata_storage():
    return storages["opendata"]


def _license() -> dict:
    return {
        "name": settings.FACTCHECK_OPENDATA_LICENSE,
        "url": settings.FACTCHECK_OPENDATA_LICENSE_URL,
    }


def _metadata(name: str, as_of: str, rows: str) -> dict:
    """The first line of a JSON Lines file: what follows, from when, under what licence."""
    return {
        "type": "metadata",
        "title": f"{settings.SITE_NAME}: {name}",
        "publisher": settings.FACTCHECK_PUBLISHER_NAME,
        "as_of": as_of,
        "license": _license(),
        "records": rows,
        "source": site_url("/open-data/"),
        "api": site_url("/api/"),
    }


def _cell(value) -> str:
    """A CSV cell; one that starts like a formula is quoted, as the admin's exports do,
    so a spreadsheet never runs it."""
    if value is None:
        return ""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


CLAIM_COLUMNS = [
    ("slug", "The claim's identifier (its page is /claims/<slug>/)."),
    ("url", "The claim's page."),
    ("text", "What was claimed."),
    ("claimant", "Who claimed it."),
    ("claim_date", "When it was claimed."),
    ("language", "Language of the claim (nl, en)."),
    ("status", "published, or needs_rereview while the newsroom checks it again."),
    ("updated_at", "When the claim last changed."),
    ("rating_code", "The current verdict's rating code."),
    ("rating_label_nl", "The rating's Dutch label."),
    ("rating_label_en", "The rating's English label."),
    ("rating_value", "The rating's value on its scale."),
    ("scale", "The rating scale and its version."),
    ("verdict_summary", "The current verdict in one sentence."),
    ("verdict_published_at", "When the current verdict was published."),
    ("earlier_verdicts", "How many verdicts it replaced."),
    ("appearance_urls", "Where the claim appears, space-separated."),
    ("source_urls", "The sources it cites, space-separated."),
    ("corrections", "How many corrections concern it."),
]
CORRECTION_COLUMNS = [
    ("id", "The correction's identifier."),
    ("url", "Where it is published."),
    ("kind", "correction, clarification, verdict_change or source_replaced."),
    ("text", "The notice readers see."),
    ("published_at", "When it was published."),
    ("article_slug", "The article it corrects."),
    ("article_url", "The article's page."),
    ("claim_slug", "The claim it concerns, if any."),
    ("revision", "The article revision whose text change it explains, if any."),
    ("paragraphs_changed", "Anchors of the paragraphs it changed, space-separated."),
]


def _claim_row(data: dict) -> list:
    verdict = data["verdict"] or {}
    rating = verdict.get("rating") or {}
    scale = rating.get("scale") or {}
    return [
        data["slug"],
        data["url"],
        data["text"],
        data["claimant"],
        data["claim_date"],
        data["language"],
        data["status"],
        data["updated_at"],
        rating.get("code"),
        rating.get("label_nl"),
        rating.get("label_en"),
        rating.get("value"),
        f"{scale['name']} v{scale['version']}" if scale else "",
        verdict.get("summary"),
        verdict.get("published_at"),
        len(data["earlier_verdicts"]),
        " ".join(a["url"] for a in data["appearances"] if a["url"]),
        " ".join(c["source"]["url"] for c in data["citations"] if c["source"]["url"]),
        len(data["corrections"]),
    ]


def _correction_row(data: dict) -> list:
    return [
        data["id"],
        data["url"],
        data["kind"],
        data["text"],
        data["published_at"],
        data["article"]["slug"],
        data["article"]["url"],
        (data["claim"] or {}).get("slug"),
        data["revision"],
        " ".join(change["anchor"] for change in data["text_changes"]),
    ]


def _csvw(name: str, columns: list[tuple[str, str]], as_of: str) -> dict:
    """W3C CSV on the Web metadata: the CSV file's own metadata, with its licence."""
    return {
        "@context": "http://www.w3.org/ns/csvw",
        "url": name,
        "dc:title": f"{settings.SITE_NAME}: {name}",
        "dc:publisher": settings.FACTCHECK_PUBLISHER_NAME,
        "dc:license": {"@id": settings.FACTCHECK_OPENDATA_LICENSE_URL},
        "dc:rights": settings.FACTCHECK_OPENDATA_LICENSE,
        "dc:modified": as_of,
        "dc:description": (
            "A cell that would start with =, +, -, @ or a tab starts with ' instead, so "
            "that no spreadsheet runs it as a formula."
        ),
        "tableSchema": {
            "columns": [{"name": c, "titles": c, "dc:description": d} for c, d in columns]
        },
    }


class _Writer:
    """Temporary files for one dump, each hashed as it is written."""

    def __init__(self) -> None:
        self.files: dict[str, IO[bytes]] = {}
        self.rows: dict[str, int] = {}

    def open(self, name: str):
        handle = tempfile.TemporaryFile()  # noqa: SIM115  (closed by close())
        self.files[name] = handle
        self.rows[name] = 0
        return io.TextIOWrapper(handle, encoding="utf-8", newline="", write_through=True)

    def json(self, name: str, data) -> None:
        text = self.open(name)
        json.dump(data, text, ensure_ascii=False, indent=2, cls=JSONEncoder)
        text.detach()

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()


def _jsonl_and_csv(writer: _Writer, stem: str, records, columns, row, as_of: str) -> None:
    jsonl = writer.open(f"{stem}.jsonl")
    table = writer.open(f"{stem}.csv")
    table.write("\ufeff")  # so spreadsheet programs read UTF-8
    out = csv.writer(table)
    out.writerow([name for name, _ in columns])
    jsonl.write(json.dumps(_metadata(f"{stem}.jsonl", as_of, stem), ensure_ascii=False) + "\n")
    for data in records:
        line = json.dumps({"type": stem.rstrip("s"), **data}, ensure_ascii=False, cls=JSONEncoder)
        jsonl.write(line + "\n")
        out.writerow([_cell(value) for value in row(data)])
        writer.rows[f"{stem}.jsonl"] += 1
        writer.rows[f"{stem}.csv"] += 1
    jsonl.detach()
    table.detach()
    writer.json(f"{stem}.csv-metadata.json", _csvw(f"{stem}.csv", columns, as_of))


def _serialized(queryset, serializer_class):
    """Each row as the API gives it, a chunk at a time (a list serializer reads what a
    chunk shows beside in a fixed number of queries)."""
    chunk = []
    for obj in queryset.iterator(chunk_size=CHUNK):
        chunk.append(obj)
        if len(chunk) == CHUNK:
            yield from serializer_class(chunk, many=True).data
            chunk = []
    if chunk:
        yield from serializer_class(chunk, many=True).data


def _claimreview(writer: _Writer, as_of: str) -> None:
    reviews = (claimreview_for_claim(c) for c in claims_for_claimreview().iterator(CHUNK))
    feed = claimreview_feed(r for r in reviews if r is not None)
    feed |= {
        "dateModified": as_of,
        "dateCreated": as_of,
        "license": settings.FACTCHECK_OPENDATA_LICENSE_URL,
        "publisher": {"@type": "Organization", "name": settings.FACTCHECK_PUBLISHER_NAME},
    }
    writer.json("claimreview.json", feed)
    writer.rows["claimreview.json"] = len(feed["dataFeedElement"])


def _datapackage(files: dict, as_of: str) -> dict:
    """A Frictionless Data Package: the dump's table of contents."""
    return {
        "name": "factcheck-open-data",
        "title": f"{settings.SITE_NAME}: open data",
        "homepage": site_url("/open-data/"),
        "created": as_of,
        "licenses": [
            {
                "name": settings.FACTCHECK_OPENDATA_LICENSE,
                "path": settings.FACTCHECK_OPENDATA_LICENSE_URL,
                "title": settings.FACTCHECK_OPENDATA_LICENSE,
            }
        ],
        "resources": [
            {
                "name": name.replace(".", "-"),
                "path": name,
                "mediatype": FILES[name][0].split(";")[0],
                "description": FILES[name][1],
                "bytes": info["bytes"],
                "hash": f"sha256:{info['sha256']}",
            }
            for name, info in files.items()
        ],
    }


def opendata_dump_write(*, now=None) -> OpenDataDump:
    """Write a dump of everything public now, and make it the one served."""
    from claims.api import public, serializers

    started = time.monotonic()
    now = now or timezone.now()
    as_of = now.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    folder = now.astimezone(UTC).strftime("%Y-%m-%dT%H%M%SZ")
    storage = opendata_storage()
    writer = _Writer()
    saved: list[str] = []
    try:
        claims = public.claims_public().order_by("pk")
        _jsonl_and_csv(
            writer,
            "claims",
            _serialized(claims, serializers.ClaimSerializer),
            CLAIM_COLUMNS,
            _claim_row,
            as_of,
        )
        corrections = public.corrections_public().order_by("pk")
        _jsonl_and_csv(
            writer,
            "corrections",
            _serialized(corrections, serializers.CorrectionSerializer),
            CORRECTION_COLUMNS,
            _correction_row,
            as_of,
        )
        _claimreview(writer, as_of)
        files: dict[str, dict] = {}
        for name, handle in writer.files.items():
            files[name] = _file_save(storage, f"{folder}/{name}", handle, saved)
            files[name] |= {"rows": writer.rows.get(name), "content_type": FILES[name][0]}
        package = io.BytesIO(
            json.dumps(_datapackage(files, as_of), ensure_ascii=False, indent=2).encode()
        )
        files["datapackage.json"] = _file_save(
            storage, f"{folder}/datapackage.json", package, saved
        ) | {"rows": None, "content_type": FILES["datapackage.json"][0]}
        dump = OpenDataDump.objects.create(
            made_at=now,
            folder=folder,
            files=files,
            license=settings.FACTCHECK_OPENDATA_LICENSE,
            seconds=round(time.monotonic() - started, 3),
        )
    except Exception:
        for name in saved:  # no half dump is left behind
            storage.delete(name)
        raise
    finally:
        writer.close()
    opendata_prune()
    log.info("open-data dump %s written in %.1f s", folder, dump.seconds)
    return dump


def _file_save(storage, name: str, handle, saved: list[str]) -> dict:
    digest, size = hashlib.sha256(), 0
    handle.seek(0)
    for block in iter(lambda: handle.read(1 << 16), b""):
        digest.update(block)
        size += len(block)
    handle.seek(0)
    stored = storage.save(name, File(handle, name=name.rsplit("/", 1)[-1]))
    saved.append(stored)
    return {"path": stored, "bytes": size, "sha256": digest.hexdigest()}


def opendata_prune(*, keep: int | None = None) -> int:
    """Delete the dumps beyond the newest ``keep`` (files first, then the row)."""
    keep = keep or settings.FACTCHECK_OPENDATA_KEEP
    storage = opendata_storage()
    old = list(OpenDataDump.objects.order_by("-made_at", "-id")[keep:])
    for dump in old:
        for info in dump.files.values():
            try:
                storage.delete(info["path"])
            except Exception:
                log.warning("could not delete %s from the open-data storage", info["path"])
        dump.delete()
    return len(old)


def opendata_dump_latest() -> OpenDataDump | None:
    return OpenDataDump.objects.order_by("-made_at", "-id").first()


def opendata_dump_due(*, now=None) -> OpenDataDump | None:
    """Beat's hourly question: write a dump if the last one is about a day old (half
    an hour early rather than an hour late, so the time of day does not drift)."""
    now = now or timezone.now()
    latest = opendata_dump_latest()
    every = timedelta(hours=settings.FACTCHECK_OPENDATA_EVERY_HOURS)
    if latest is not None and now - latest.made_at < every - timedelta(minutes=30):
        return None
    return opendata_dump_write(now=now)


@dataclass(frozen=True)
class OpenDataFreshness:
    as_of: object  # datetime | None
    age_hours: float | None
    stale: bool


def opendata_freshness(*, now=None) -> OpenDataFreshness:
    """How old the served dump is; stale past ``FACTCHECK_OPENDATA_STALE_HOURS`` (or
    when there is none)."""
    now = now or timezone.now()
    latest = opendata_dump_latest()
    if latest is None:
        return OpenDataFreshness(None, None, True)
    age = (now - latest.made_at).total_seconds() / 3600
    return OpenDataFreshness(
        latest.made_at, round(age, 1), age > settings.FACTCHECK_OPENDATA_STALE_HOURS
    )

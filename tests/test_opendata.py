"""The daily open-data dumps: JSON Lines, CSV and the ClaimReview DataFeed of the public
data only, each with its licence and "as of" in its own metadata, served at stable URLs;
beat's hourly question writes one a day; a stale dump shows on /healthz and on the
dashboard; the Open data page."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims import services
from claims.models import OpenDataDump
from tests.opendata_data import newsroom


@pytest.fixture
def storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "opendata": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "opendata")},
        },
    }
    return tmp_path / "opendata"


@pytest.fixture
def data(seed_article, seed_claim, scale, editor, second_editor):
    return newsroom(seed_article, seed_claim, scale, editor, second_editor)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_dump_holds_the_public_data_with_its_licence_and_time(reader, storage, data):
    dump = services.opendata_dump_write()
    assert set(dump.files) == {
        "claims.jsonl",
        "claims.csv",
        "claims.csv-metadata.json",
        "corrections.jsonl",
        "corrections.csv",
        "corrections.csv-metadata.json",
        "claimreview.json",
        "datapackage.json",
    }
    as_of = dump.made_at.astimezone(UTC).isoformat(timespec="seconds")[:19]

    lines = body(reader.get("/open-data/claims.jsonl")).decode().splitlines()
    meta, *claims = (json.loads(line) for line in lines)
    assert meta["type"] == "metadata" and meta["license"]["name"] == "CC BY 4.0"
    assert meta["as_of"].startswith(as_of)
    assert {c["slug"] for c in claims} == {data.claim.slug, data.hidden_claim.slug}
    api = reader.get(
        reverse("api:claim-detail", args=[data.claim.slug]), HTTP_ACCEPT="application/json"
    )
    same = next(c for c in claims if c["slug"] == data.claim.slug)
    assert {k: v for k, v in same.items() if k != "type"} == api.json()  # the API's shape

    rows = list(
        csv.DictReader(io.StringIO(body(reader.get("/open-data/claims.csv")).decode("utf-8-sig")))
    )
    assert {r["slug"] for r in rows} == {data.claim.slug, data.hidden_claim.slug}
    row = next(r for r in rows if r["slug"] == data.claim.slug)
    assert row["rating_code"] == "mostly-true" and row["earlier_verdicts"] == "1"
    csvw = json.loads(body(reader.get("/open-data/claims.csv-metadata.json")))
    assert csvw["dc:license"]["@id"] == "https://creativecommons.org/licenses/by/4.0/"
    assert [c["name"] for c in csvw["tableSchema"]["columns"]] == list(rows[0])

    feed = json.loads(body(reader.get("/open-data/claimreview.json")))
    assert feed["@type"] == "DataFeed" and feed["license"].endswith("/by/4.0/")
    assert feed["dateCreated"].startswith(as_of)
    reviewed = {r["claimReviewed"] for r in feed["dataFeedElement"]}
    assert data.claim.text in reviewed

    package = json.loads(body(reader.get("/open-data/datapackage.json")))
    assert package["licenses"][0]["name"] == "CC BY 4.0"
    assert {r["path"] for r in package["resources"]} == set(dump.files) - {"datapackage.json"}

    everything = "".join(
        body(reader.get(f"/open-data/{name}")).decode("utf-8-sig") for name in dump.files
    )
    for secret in (
        data.draft_article.title,
        data.draft_claim.text,
        "Niet publiek.",
        "Reader report abc",
        "Interne notitie",
    ):
        assert secret not in everything, secret


def test_files_are_served_with_as_of_licence_and_conditional_get(reader, storage, data):
    dump = services.opendata_dump_write()
    response = reader.get("/open-data/claims.jsonl")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-ndjson")
    assert 'rel="license"' in response["Link"] and "datapackage.json" in response["Link"]
    assert response["Access-Control-Allow-Origin"] == "*"
    again = reader.get("/open-data/claims.jsonl", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    dated = reader.get(f"/open-data/{dump.folder}/claims.jsonl")
    assert body(dated) == body(reader.get("/open-data/claims.jsonl"))
    assert reader.get("/open-data/passwords.txt").status_code == 404
    assert reader.get("/open-data/../settings.py").status_code == 404


def test_a_csv_cell_never_runs_as_a_formula(reader, storage, data, editor, scale):
    claim = services.claim_create(text='=HYPERLINK("http://evil")', created_by=editor).claim
    services.verdict_publish(claim=claim, rating=scale.ratings.first(), summary="@SUM(1)")
    services.opendata_dump_write()
    text = body(reader.get("/open-data/claims.csv")).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(1)" in text


def test_beat_writes_a_dump_a_day_and_keeps_a_week(storage, data, settings):
    now = timezone.now()
    first = services.opendata_dump_due(now=now)
    assert first is not None
    assert services.opendata_dump_due(now=now + timedelta(hours=12)) is None
    assert services.opendata_dump_due(now=now + timedelta(hours=23, minutes=40)) is not None
    settings.FACTCHECK_OPENDATA_KEEP = 2
    services.opendata_dump_due(now=now + timedelta(days=2))
    assert OpenDataDump.objects.count() == 2
    assert not (storage / first.folder / "claims.jsonl").exists()  # its files went too


def test_a_stale_dump_shows_on_healthz_and_the_dashboard(reader, storage, data, editor):
    staff = Client()
    staff.force_login(editor)
    assert reader.get("/healthz").json()["open_data"]["stale"] is True
    assert "opendata-stale" in staff.get(reverse("claims:dashboard")).content.decode()

    dump = services.opendata_dump_write()
    fresh = reader.get("/healthz").json()
    assert fresh["ok"] is True and fresh["open_data"]["stale"] is False
    assert "opendata-stale" not in staff.get(reverse("claims:dashboard")).content.decode()

    OpenDataDump.objects.filter(pk=dump.pk).update(made_at=timezone.now() - timedelta(hours=27))
    stale = reader.get("/healthz").json()
    assert stale["ok"] is True  # shown, and the site stays in the load balancer
    assert stale["open_data"]["stale"] is True and stale["open_data"]["age_hours"] >= 27
    page = staff.get(reverse("claims:dashboard")).content.decode()
    assert "opendata-stale" in page and "27 uur oud" in page


def test_the_open_data_page_names_the_licence_the_files_and_the_api(reader, storage, data):
    page = reader.get(reverse("claims:open_data")).content.decode()
    assert "wordt klaargezet" in page
    services.opendata_dump_write()
    page = reader.get(reverse("claims:open_data")).content.decode()
    assert 'rel="license"' in page and "CC BY 4.0" in page
    assert "/open-data/claims.jsonl" in page and "/open-data/claimreview.json" in page
    assert reverse("api:docs") in page and "Stand van" in page


def test_the_licence_comes_from_the_setting(reader, storage, data, settings):
    settings.FACTCHECK_OPENDATA_LICENSE = "CC0 1.0"
    settings.FACTCHECK_OPENDATA_LICENSE_URL = "https://creativecommons.org/publicdomain/zero/1.0/"
    services.opendata_dump_write()
    meta = json.loads(body(reader.get("/open-data/claims.jsonl")).decode().splitlines()[0])
    assert meta["license"]["name"] == "CC0 1.0"
    assert "CC0 1.0" in reader.get(reverse("claims:open_data")).content.decode()


def test_a_failed_dump_leaves_nothing_half_written(storage, data, monkeypatch):
    from claims.services import opendata

    saved = opendata._file_save
    calls = []

    def save_then_fail(*args, **kwargs):
        calls.append(args[1])
        if len(calls) == 3:
            raise OSError("disk full")
        return saved(*args, **kwargs)

    monkeypatch.setattr(opendata, "_file_save", save_then_fail)
    with pytest.raises(OSError):
        services.opendata_dump_write()
    assert not OpenDataDump.objects.exists()
    assert [p for p in storage.rglob("*") if p.is_file()] == []  # the two written went too


def test_the_management_command_writes_a_dump(storage, data, capsys):
    call_command("opendata_dump")
    assert OpenDataDump.objects.count() == 1
    assert "claims.jsonl" in capsys.readouterr().out

"""WARC captures of fetches (claims/services/evidence.py), against the real local source
server: what the fetcher received is what the WARC holds, warcio reads it back and checks
it, an unchanged page is stored once (a revisit record), and staff download a source's
WARC and an article's WACZ that `wacz validate` accepts."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from warcio.archiveiterator import ArchiveIterator

from claims import services
from claims.models import Citation, Snapshot, Source
from tests.sourceserver import PAGE

BIN = Path(sys.executable).parent


@pytest.fixture
def captures(db, settings, tmp_path) -> Path:
    """The captures storage in a folder of the test's own."""
    folder = tmp_path / "captures"
    settings.STORAGES = {
        **settings.STORAGES,
        "captures": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


def source_for(server, path: str, **extra) -> Source:
    url = server.url(path)
    return Source.objects.create(
        key=url, url=url, state="waiting", next_check_at=timezone.now(), **extra
    )


def fetch_again(source: Source) -> Snapshot:
    services.source_fetch(source_id=source.pk, force=True)
    return Snapshot.objects.filter(source=source).order_by("-fetched_at", "-id").first()


def records_of(data: bytes) -> list[dict]:
    """Every record of a WARC, with what a replay tool would read of it."""
    out = []
    for record in ArchiveIterator(io.BytesIO(data), check_digests=True):
        out.append(
            {
                "type": record.rec_type,
                "uri": record.rec_headers.get_header("WARC-Target-URI"),
                "id": record.rec_headers.get_header("WARC-Record-ID"),
                "digest": record.rec_headers.get_header("WARC-Payload-Digest"),
                "refers_to": record.rec_headers.get_header("WARC-Refers-To"),
                "concurrent_to": record.rec_headers.get_header("WARC-Concurrent-To"),
                "ip": record.rec_headers.get_header("WARC-IP-Address"),
                "status": record.http_headers.get_statuscode() if record.http_headers else None,
                "http": dict(record.http_headers.headers) if record.http_headers else {},
                "raw": record.raw_stream.read(),
                "digest_ok": record.digest_checker.passed,
            }
        )
    return out


def warc_of(captures: Path, snapshot: Snapshot) -> bytes:
    return (captures / snapshot.warc_name).read_bytes()


def test_a_fetch_writes_a_warc_that_warcio_reads_back(source_server, captures):
    source = source_for(source_server, "/page")
    services.source_fetch(source_id=source.pk)
    snapshot = Snapshot.objects.get(source=source)

    assert snapshot.ok and snapshot.warc_name.endswith(".warc.gz")
    records = records_of(warc_of(captures, snapshot))
    assert [r["type"] for r in records] == ["warcinfo", "request", "response"]
    request, response = records[1], records[2]
    assert response["uri"] == snapshot.final_url == source_server.url("/page")
    assert response["status"] == str(snapshot.status_code) == "200"
    assert response["digest"] == snapshot.warc_digest == services.warc_digest(PAGE)
    assert response["id"] == snapshot.warc_record_id
    assert response["raw"] == PAGE  # the body as received
    assert response["ip"] == "127.0.0.1"
    assert response["digest_ok"] is not False  # warcio recomputed both digests
    assert request["concurrent_to"] == response["id"]
    assert request["http"]["User-Agent"].startswith("FactcheckBot")
    assert (
        snapshot.warc_date and abs((snapshot.warc_date - snapshot.fetched_at).total_seconds()) < 5
    )
    assert snapshot.warc_size == (captures / snapshot.warc_name).stat().st_size


def test_warcio_check_and_index_accept_the_file(source_server, captures):
    source = source_for(source_server, "/redirect/1")
    snapshot = fetch_again(source)
    path = captures / snapshot.warc_name

    check = subprocess.run([BIN / "warcio", "check", "-v", str(path)], capture_output=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert b"digest pass" in check.stdout
    index = subprocess.run([BIN / "warcio", "index", str(path)], capture_output=True, check=True)
    lines = [json.loads(line) for line in index.stdout.splitlines()]
    assert [(line["warc-type"], line.get("warc-target-uri")) for line in lines] == [
        ("warcinfo", None),
        ("request", source_server.url("/redirect/1")),
        ("response", source_server.url("/redirect/1")),
        ("request", source_server.url("/redirect/0")),
        ("response", source_server.url("/redirect/0")),
        ("request", source_server.url("/page")),
        ("response", source_server.url("/page")),
    ]


def test_a_gzipped_page_is_kept_as_received_and_read_decoded(source_server, captures):
    html = PAGE.replace(b"Testpagina voor bronnen", b"Gecomprimeerde pagina")
    source_server.pages["/gz"] = (
        200,
        "text/html; charset=utf-8",
        gzip.compress(html),
        {"Content-Encoding": "gzip"},
    )
    source = source_for(source_server, "/gz")
    services.source_fetch(source_id=source.pk)
    snapshot = Snapshot.objects.get(source=source)

    assert snapshot.title == "Gecomprimeerde pagina"  # the fetcher decoded it
    data = warc_of(captures, snapshot)
    response = records_of(data)[-1]
    assert gzip.decompress(response["raw"]) == html  # stored as it came, still gzipped
    assert response["http"]["Content-Encoding"] == "gzip"
    assert snapshot.warc_digest == services.warc_digest(gzip.compress(html))
    for record in ArchiveIterator(io.BytesIO(data)):  # what a replay tool serves
        if record.rec_type == "response":
            assert record.content_stream().read() == html


def test_a_second_fetch_of_an_unchanged_page_stores_no_second_copy(source_server, captures):
    source = source_for(source_server, "/page")
    first = fetch_again(source)
    second = fetch_again(source)

    assert second.warc_revisit_of == first and second.warc_digest == first.warc_digest
    assert second.warc_name != first.warc_name
    revisit = records_of(warc_of(captures, second))[-1]
    assert revisit["type"] == "revisit"
    assert revisit["refers_to"] == first.warc_record_id
    assert revisit["raw"] == b""  # headers only
    everything = b"".join(gzip.decompress(p.read_bytes()) for p in captures.rglob("*.warc.gz"))
    assert everything.count(b"Het kabinet maakte dinsdag bekend") == 1
    assert second.text_id == first.text_id  # the capture page shows the same text


def test_a_changed_page_is_stored_again(source_server, captures):
    source = source_for(source_server, "/changing")
    first, second = fetch_again(source), fetch_again(source)
    assert second.warc_revisit_of is None and second.warc_digest != first.warc_digest
    assert records_of(warc_of(captures, second))[-1]["type"] == "response"


def test_no_capture_for_a_failed_fetch_or_when_capture_is_off(source_server, captures, settings):
    failed = fetch_again(source_for(source_server, "/status/404"))
    assert not failed.ok and failed.warc_name == ""

    settings.FACTCHECK_WARC_CAPTURE = False
    off = fetch_again(source_for(source_server, "/page"))
    assert off.ok and off.warc_name == ""
    assert not captures.exists() or not any(captures.rglob("*.warc.gz"))


def test_a_body_over_the_fetch_cap_is_neither_fetched_nor_captured(
    source_server, captures, settings
):
    settings.FACTCHECK_FETCH_MAX_BYTES = 1024 * 1024
    too_large = fetch_again(source_for(source_server, "/huge-chunked"))
    assert (too_large.ok, too_large.error_code, too_large.warc_name) == (False, "too_large", "")


def test_a_storage_outage_loses_the_capture_not_the_fetch(db, source_server, settings, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    settings.STORAGES = {
        **settings.STORAGES,
        "captures": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocked)},
        },
    }
    source = source_for(source_server, "/page")
    done = services.source_fetch(source_id=source.pk)

    assert done.outcome == "live"
    assert Snapshot.objects.get(source=source).warc_name == ""


# --- Downloads -------------------------------------------------------------------------


def test_staff_download_a_source_warc_with_every_capture(client, editor, source_server, captures):
    source = source_for(source_server, "/page")
    first, second = fetch_again(source), fetch_again(source)
    client.force_login(editor)

    response = client.get(reverse("claims:source_warc", args=[source.pk]))

    assert response["Content-Type"] == "application/warc"
    assert f"source-{source.pk}.warc.gz" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    records = records_of(data)
    assert [r["type"] for r in records].count("warcinfo") == 2
    assert [r["id"] for r in records if r["type"] in ("response", "revisit")] == [
        first.warc_record_id,
        second.warc_record_id,
    ]
    path = captures / "download.warc.gz"
    path.write_bytes(data)
    check = subprocess.run([BIN / "warcio", "check", str(path)], capture_output=True)
    assert check.returncode == 0, check.stdout


def test_a_source_without_captures_has_no_warc(client, editor, db):
    source = Source.objects.create(
        key="https://example.org/x", url="https://example.org/x", state="waiting"
    )
    client.force_login(editor)
    assert client.get(reverse("claims:source_warc", args=[source.pk])).status_code == 404


def test_an_article_wacz_bundles_its_captures_and_passes_wacz_validate(
    client, editor, seed_article, seed_claim, source_server, captures, tmp_path
):
    own = source_for(source_server, "/page", title="Eigen bron")
    via_claim = source_for(source_server, "/text", title="Bron van de bewering")
    Citation.objects.create(article=seed_article, source=own, position=99)
    services.citation_add(claim=seed_claim, url=via_claim.url, user=editor)
    for source in (own, via_claim):
        fetch_again(source)
    fetch_again(own)  # a revisit: its original must travel with it
    client.force_login(editor)

    response = client.get(reverse("claims:article_wacz", args=[seed_article.slug]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/wacz"
    path = tmp_path / "article.wacz"
    path.write_bytes(b"".join(response.streaming_content))
    validate = subprocess.run(
        [BIN / "wacz", "validate", "-f", str(path)], capture_output=True, text=True
    )
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert "the passed WACZ is valid" in validate.stdout
    with zipfile.ZipFile(path) as wacz:
        names = set(wacz.namelist())
        pages = wacz.read("pages/pages.jsonl").decode()
    assert {f"archive/source-{own.pk}.warc.gz", f"archive/source-{via_claim.pk}.warc.gz"} <= names
    assert own.url in pages and via_claim.url in pages


def test_an_article_with_nothing_captured_has_no_wacz(client, editor, seed_article, captures):
    client.force_login(editor)
    response = client.get(reverse("claims:article_wacz", args=[seed_article.slug]))
    assert response.status_code == 404


def test_check_url_reports_what_it_would_capture_and_saves_nothing(source_server, captures):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("check_url", source_server.url("/redirect/0"), "--json", stdout=out)
    report = json.loads(out.getvalue())

    capture = report["capture"]
    assert capture["records"] == ["warcinfo", "request", "response", "request", "response"]
    assert capture["body_bytes"] == len(PAGE) and capture["digest"] == services.warc_digest(PAGE)
    assert capture["warc_bytes"] > 0 and capture["enabled"] is True
    assert report["archive"]["enabled"] is False  # off in tests
    assert not captures.exists() and not Snapshot.objects.exists()

    out = StringIO()
    call_command("check_url", source_server.url("/page"), stdout=out)
    assert "  capture: " in out.getvalue() and "bytes of WARC" in out.getvalue()


def test_settings_read_the_evidence_variables_and_refuse_half_a_key_pair():
    from tests.test_settings import manage

    code = (
        "from django.conf import settings as s; "
        "print(s.STORAGES['captures']['BACKEND'], s.STORAGES['captures']['OPTIONS']['bucket_name'],"
        " repr(s.FACTCHECK_ARCHIVE_SPN_URL), s.FACTCHECK_ARCHIVE_PER_MINUTE)"
    )
    env = {
        "DEBUG": "1",
        "FACTCHECK_CAPTURES_S3_BUCKET": "newsroom-captures",
        "FACTCHECK_ARCHIVE_SPN_URL": "",
        "FACTCHECK_ARCHIVE_PER_MINUTE": "3",
    }
    result = manage("shell", "-v", "0", "-c", code, env=env)
    assert result.stdout.split() == [
        "storages.backends.s3.S3Storage",
        "newsroom-captures",
        "''",
        "3",
    ], result.stderr

    half = manage("check", env={"DEBUG": "1", "FACTCHECK_ARCHIVE_S3_ACCESS": "only-this"})
    assert half.returncode != 0 and "FACTCHECK_ARCHIVE_S3_SECRET" in half.stderr

"""python manage.py import_articles: per-file results, idempotency, batch errors."""

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from claims.models import Article, Citation, Paragraph, RelatedLink, Source
from tests.conftest import ROOT, SEED_PATH, shared_file


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_articles", *args, stdout=out, stderr=err)
        code = 0
    except CommandError as exc:
        code = exc.returncode
    return code, out.getvalue(), err.getvalue()


def counts():
    return (
        Article.objects.count(),
        Paragraph.objects.count(),
        Source.objects.count(),
        Citation.objects.count(),
        RelatedLink.objects.count(),
    )


@pytest.mark.django_db
def test_seed_imports_once_and_reports_its_duplicate_source():
    shared_file("seeds", SEED_PATH.name)
    code, out, _ = run(str(SEED_PATH), "--json")
    result = json.loads(out)

    assert code == 0
    assert result["imported"] == 1
    assert result["duplicate_sources"] == 1
    file = result["files"][0]
    assert file["status"] == "imported"
    assert file["byline"] == "gaya ❤️ one"
    assert (file["paragraphs"], file["source_lines"], file["sources"], file["related"]) == (
        5,
        5,
        4,
        3,
    )
    article = Article.objects.get()
    assert article.is_published
    assert [s.state for s in Source.objects.all()] == ["needs_url"] * 4
    before = counts()

    code, out, _ = run(str(SEED_PATH), "--json")
    again = json.loads(out)

    assert code == 0
    assert (again["imported"], again["updated"], again["unchanged"]) == (0, 0, 1)
    assert again["duplicate_sources"] == 0
    assert counts() == before


@pytest.mark.django_db
def test_paragraph_anchors_are_stable_across_an_edit(tmp_path, seed_bytes):
    path = tmp_path / "a.txt"
    path.write_bytes(seed_bytes)
    run(str(path))
    anchors = list(Paragraph.objects.values_list("anchor", flat=True))
    first = Paragraph.objects.get(position=1)

    text = seed_bytes.decode()
    edited = text.replace("Op dinsdag 2 december", "Nieuwe eerste alinea.\nOp dinsdag 2 december")
    path.write_text(edited)
    _, out, _ = run(str(path), "--json")

    assert json.loads(out)["updated"] == 1
    assert Article.objects.count() == 1
    first.refresh_from_db()  # same row, same anchor, moved down one place
    assert first.position == 2
    assert list(Paragraph.objects.values_list("anchor", flat=True))[1:] == anchors


@pytest.mark.django_db
def test_a_bad_file_fails_alone_and_the_batch_goes_on(tmp_path, seed_bytes):
    (tmp_path / "a_empty.txt").write_bytes(b"")
    (tmp_path / "b_binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04")
    (tmp_path / "c_latin1.txt").write_bytes("Titel\nCafé\n".encode("latin-1"))
    (tmp_path / "d_huge.txt").write_bytes(b"Titel\n" + b"a" * (2 * 1024 * 1024))
    (tmp_path / "e_notitle.txt").write_bytes(b"\n\nBronnen\nA - B\n")
    (tmp_path / "f_nobody.txt").write_bytes(b"Titel\nBewerkt door: x\n")
    (tmp_path / "g_seed.txt").write_bytes(seed_bytes)

    code, out, err = run(str(tmp_path))

    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 6
    for line, name, reason in zip(
        lines,
        ["a_empty", "b_binary", "c_latin1", "d_huge", "e_notitle", "f_nobody"],
        ["empty", "binary", "not UTF-8", "larger than 2 MB", "no title", "no body"],
        strict=True,
    ):
        assert name in line and reason in line and "error" in line
    assert "1 imported" in out
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_json_lists_failures_per_file(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    code, out, _ = run(str(tmp_path / "empty.txt"), str(tmp_path / "missing.txt"), "--json")
    result = json.loads(out)
    assert code == 1
    assert result["failed"] == 2
    assert [f["error"] for f in result["files"]] == ["file is empty", "No such file or directory"]


@pytest.mark.django_db
def test_related_headline_links_once_the_story_exists(tmp_path, seed_bytes):
    run(str(SEED_PATH))
    link = RelatedLink.objects.get(headline__startswith="Gratie Trump")
    assert link.target is None

    other = tmp_path / "other.txt"
    other.write_text(f"{link.headline}\nBewerkt door: redactie\nTekst.\n")
    run(str(other))

    link.refresh_from_db()
    assert link.target.title == link.headline


def test_command_exits_non_zero_from_the_shell(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    result = subprocess.run(
        [sys.executable, "manage.py", "import_articles", str(tmp_path / "empty.txt"), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"},
        check=False,
    )
    assert result.returncode == 1
    assert json.loads(result.stdout)["files"][0]["error"] == "file is empty"

"""python manage.py check_url: one real fetch, printed, nothing saved."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from claims.models import Snapshot, Source


def check_url(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("check_url", *args, stdout=out)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue()


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/", "http://[::1]/"])
def test_loopback_is_refused_without_connecting(url, db):
    code, out = check_url(url)
    assert code == 1
    assert out.splitlines()[0] == "refused_address"


def test_the_canary_port_is_refused_without_a_hit(canary_server, db):
    code, out = check_url(f"http://127.0.0.1:{canary_server.port}/", "--json")
    assert code == 1 and json.loads(out)["error"] == "refused_address"


def test_an_allowed_local_page_prints_its_title_and_ok(source_server, db):
    code, out = check_url(source_server.url("/redirect/1"))

    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "ok"
    assert "  status: 200" in lines
    assert f"  final_url: {source_server.url('/page')}" in lines
    assert "  title: Testpagina voor bronnen" in lines
    assert Snapshot.objects.count() == Source.objects.count() == 0  # nothing saved


def test_json_output_is_one_object(source_server, db):
    code, out = check_url(source_server.url("/html/factcheck_pages/afp.html"), "--json")
    outcome = json.loads(out)
    assert code == 0
    assert outcome["ok"] is True and outcome["error"] is None
    assert outcome["title"] == "CDC does not add flu and pneumonia deaths to COVID-19 toll"
    assert outcome["claimreview"] is True

"""History reasons: written in English by the services, shown in the page's language."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from claims import services
from claims.models import Report
from claims.templatetags.history_reasons import history_reason

SERVICES = Path(__file__).resolve().parent.parent / "claims" / "services"
NOT_HISTORY = {"reporter_block"}  # its reason is the block's own note, not a history row
SAME_IN_DUTCH = {"spam"}


def _text(node: ast.AST) -> list[str]:
    """The strings an expression can be: constants, f-strings (each value a "7"), and
    both sides of a conditional."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return ["".join(v.value if isinstance(v, ast.Constant) else "7" for v in node.values)]
    if isinstance(node, ast.IfExp):
        return _text(node.body) + _text(node.orelse)
    return []


def written_reasons() -> set[str]:
    """Every history reason the services write as a literal."""
    found = set()
    for path in SERVICES.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name in NOT_HISTORY:
                    continue
                if name == "_history" and len(node.args) == 3:
                    found.update(_text(node.args[2]))
                for keyword in node.keywords:
                    if keyword.arg in ("reason", "default_change_reason"):
                        found.update(_text(keyword.value))
            elif isinstance(node, ast.Assign):
                target = node.targets[0]
                named = getattr(target, "attr", getattr(target, "id", ""))
                if named in ("_change_reason", "reason"):
                    found.update(_text(node.value))
    return found


def test_the_scan_finds_the_reasons_the_services_write():
    reasons = written_reasons()
    assert {"verdict published", "claimed", "fetch failed: 7", "duplicate of 7"} <= reasons
    assert len(reasons) > 30


@pytest.mark.parametrize("reason", sorted(written_reasons()))
def test_every_history_reason_reads_in_dutch(reason):
    with translation.override("nl"):
        shown = history_reason(reason)
    if reason in SAME_IN_DUTCH:
        assert shown == reason
    else:
        assert shown != reason, f"no Dutch for the history reason {reason!r}"
    with translation.override("en"):
        english = history_reason(reason)
    if reason.startswith("fetch failed: "):  # the code in words, never raw (issue 12)
        assert english.startswith("fetch failed: ") and english != reason
    else:
        assert english == reason.replace("duplicate of ", "duplicate of report #")


@pytest.mark.parametrize(
    ("reason", "dutch"),
    [
        ("fetch started (was live)", "ophalen gestart (was: Bereikbaar)"),
        ("fetch failed: http_4xx", "ophalen mislukt: pagina niet gevonden of niet toegestaan"),
        ("assigned to redacteur", "toegewezen aan redacteur"),
        ("sent back: bron ontbreekt\nzie mail", "teruggestuurd: bron ontbreekt\nzie mail"),
        (
            "name and email erased: retention period of 90 days ended",
            "naam en e-mailadres gewist: bewaartermijn van 90 dagen verstreken",
        ),
        ("something an older version wrote", "something an older version wrote"),
        ("", ""),
        (None, ""),
    ],
)
def test_reasons_with_values_keep_them(reason, dutch):
    with translation.override("nl"):
        assert history_reason(reason) == dutch


def test_the_reviewer_sees_the_report_history_in_dutch(reviewer, reviewer_client, seed_article):
    report = services.report_create(article=seed_article, message="Het is 18%.")
    held = services.report_claim_next(user=reviewer)
    assert held.pk == report.pk
    url = reverse("claims:report_review", args=[report.pk])
    html = reviewer_client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "in behandeling genomen" in html
    assert "· claimed" not in html
    assert Report.history.filter(id=report.pk).latest().history_change_reason == "claimed"

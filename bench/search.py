"""Claim search over 100,000 claims against the raw SQL it issues (DESIGN.md: at most
1.5x), and claim matching per new claim against the same 100,000.

The rows are made in the database itself (generate_series on PostgreSQL, bulk_create on
SQLite). The search side is what the claims index does for a query: count the matches and
fetch the first page as model instances; the baseline runs the very SQL statements the
ORM issued, captured once, through a bare cursor."""

from __future__ import annotations

import random
import re

from django.db import connection

from bench.common import interleaved, progress, report

N = 100_000
PAGE = 20
WORDS = re.findall(
    r"\S+",
    """Rusland Oekraïne grondgebied procent Kremlin Witkoff Poetin vredesplan punten Genève
    NAVO Europa sancties gas olie prijzen inflatie werkloosheid migranten asiel belasting
    zorg ziekenhuis vaccin klimaat stikstof boeren energie stroom wind kernenergie woningen
    huur hypotheek onderwijs leraren studenten politie misdaad gevangenis rechter
    verkiezing stemmen kabinet minister premier gemeente provincie subsidie begroting schuld""",
)
CLAIMANTS = ["Kremlin", "Witte Huis", "NAVO", "Minister", "Oppositie", "Burgemeester", ""]


def build_claims() -> int:
    from claims.models import Claim

    have = Claim.objects.filter(slug__startswith="bench-").count()
    if have >= N:
        return have
    Claim.objects.filter(slug__startswith="bench-").delete()
    if connection.vendor == "postgresql":
        words = "(ARRAY[" + ",".join(f"'{w}'" for w in WORDS) + "])"
        claimants = "(ARRAY[" + ",".join(f"'{c}'" for c in CLAIMANTS) + "])"
        n = len(WORDS)
        with connection.cursor() as cursor:
            # Only the constant word lists above are formatted into the statement.
            cursor.execute(
                f"""
                INSERT INTO claims_claim
                  (text, slug, claimant, claim_date, language, status, rereview_reason,
                   created_at, updated_at)
                SELECT
                  {words}[1 + (g * 7) %% {n}] || ' ' || {words}[1 + (g * 13) %% {n}] || ' ' ||
                  {words}[1 + (g * 31) %% {n}] || ' stegen met ' || (g %% 97) || ' procent volgens '
                  || {words}[1 + (g * 17) %% {n}] || ' in ' || (2000 + g %% 26),
                  'bench-' || g,
                  {claimants}[1 + g %% {len(CLAIMANTS)}],
                  DATE '2025-01-01' - (g %% 900),
                  'nl', 'published', '',
                  now() - (g || ' minutes')::interval, now()
                FROM generate_series(1, %s) AS g
                """,  # noqa: S608
                [N],
            )
            cursor.execute("ANALYZE claims_claim")
    else:
        rng = random.Random(5)
        batch = []
        for g in range(1, N + 1):
            text = " ".join(rng.choice(WORDS) for _ in range(3))
            batch.append(
                Claim(
                    text=f"{text} stegen met {g % 97} procent volgens {rng.choice(WORDS)}",
                    slug=f"bench-{g}",
                    claimant=rng.choice(CLAIMANTS),
                    status=Claim.Status.PUBLISHED,
                )
            )
            if len(batch) == 5000:
                Claim.objects.bulk_create(batch)
                batch = []
                progress(g, N, "claims ")
        Claim.objects.bulk_create(batch)
    return Claim.objects.filter(slug__startswith="bench-").count()


def search_page(query: str) -> list:
    """What the claims index does for a query: the count and the first page."""
    from claims.models import Claim

    queryset = Claim.objects.public().search(query)
    count = queryset.count()
    return [count, list(queryset[:PAGE])]


def raw_runner(statements: list[tuple[str, tuple]]):
    def run() -> None:
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    return run


def captured(fn) -> list[tuple[str, tuple]]:
    """The SQL statements ``fn`` issues, with their parameters, to replay raw."""
    statements: list[tuple[str, tuple]] = []

    def wrapper(execute, sql, params, many, context):
        statements.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        fn()
    return statements


def run() -> None:
    from claims import services

    total = build_claims()
    query = "grondgebied procent"
    assert search_page(query)[0] > 0
    statements = captured(lambda: search_page(query))
    orm, raw = interleaved(lambda: search_page(query), raw_runner(statements), rounds=60, warmup=5)
    report(
        f"claim search over {total:,} claims ({connection.vendor}) vs its raw SQL",
        orm / raw,
        target="<= 1.5",
        detail=f"median {orm * 1000:.1f} ms vs {raw * 1000:.1f} ms, {search_page(query)[0]} hits",
    )

    new_claim = "Volgens Kremlin stegen de prijzen in Oekraïne met 42 procent in 2024"
    match_statements = captured(lambda: services.claim_match_candidates(text=new_claim))
    matching, candidates = interleaved(
        lambda: services.claim_match_candidates(text=new_claim),
        raw_runner(match_statements),
        rounds=30,
        warmup=3,
    )
    report(
        f"matching one new claim against {total:,} claims vs its candidate SQL",
        matching / candidates,
        target="informational",
        detail=f"median {matching * 1000:.1f} ms per new claim vs {candidates * 1000:.1f} ms SQL",
    )

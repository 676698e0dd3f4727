"""PostgreSQL-only indexes for claim search and matching; a no-op on SQLite.

- ``claim_search``: GIN over the same ``to_tsvector('simple', text || ' ' || claimant)``
  expression that ``claims.search.claim_search_vector()`` builds, so the planner uses it.
- ``claim_text_trgm`` / ``external_review_trgm``: trigram GiST indexes (pg_trgm). GiST,
  not GIN, because matching asks for the nearest texts (``ORDER BY text <-> %s LIMIT n``),
  a K-nearest-neighbour scan only GiST serves.
"""

from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEXES = [
    ("Claim", GinIndex(SearchVector("text", "claimant", config="simple"), name="claim_search")),
    ("Claim", GistIndex(fields=["text"], opclasses=["gist_trgm_ops"], name="claim_text_trgm")),
    (
        "ExternalReview",
        GistIndex(
            fields=["claim_reviewed"], opclasses=["gist_trgm_ops"], name="external_review_trgm"
        ),
    ),
]


def indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for model_name, index in INDEXES:
        schema_editor.add_index(apps.get_model("claims", model_name), index)


def indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, index in INDEXES:
        schema_editor.remove_index(apps.get_model("claims", model_name), index)


class Migration(migrations.Migration):
    dependencies = [("claims", "0003_desk_suggestions_reviews_matches")]

    operations = [migrations.RunPython(indexes_create, indexes_drop)]

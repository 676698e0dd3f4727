"""PostgreSQL-only indexes for claim search and matching; a no-op on SQLite.

- ``claim_search``: GIN over the same ``to_tsvector('simple', text || ' ' || claimant)``
  expression that ``claims.search.claim_search_vector()`` builds, so the planner uses it.
- ``claim_text_trgm`` / ``external_review_trgm``: trigram GIN indexes (pg_trgm) that let
  matching find similar claim texts without scanning every row.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEXES = [
    ("Claim", GinIndex(SearchVector("text", "claimant", config="simple"), name="claim_search")),
    ("Claim", GinIndex(fields=["text"], opclasses=["gin_trgm_ops"], name="claim_text_trgm")),
    (
        "ExternalReview",
        GinIndex(
            fields=["claim_reviewed"], opclasses=["gin_trgm_ops"], name="external_review_trgm"
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

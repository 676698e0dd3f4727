"""What only PostgreSQL has, written by hand; every operation is a no-op on SQLite.

- ``pg_trgm``, for matching claims and suggesting duplicate reports by trigram distance.
- ``claim_search``: GIN over ``to_tsvector('simple', text || ' ' || claimant)``, the same
  expression ``Claim.objects.search()`` builds, so the planner uses it.
- ``claim_text_trgm`` / ``external_review_trgm``: trigram GiST indexes. GiST, not GIN,
  because matching asks for the nearest texts (``ORDER BY text <-> %s LIMIT n``), a
  K-nearest-neighbour scan only GiST serves.
- A trigger refuses UPDATE and DELETE of a published correction, so "append-only" holds
  for raw SQL and ``QuerySet.update()`` too. Only ``created_by`` may change (to NULL,
  when the user who wrote it is deleted). TRUNCATE (the test runner's flush) fires no
  row trigger. SQLite relies on ``Correction.save()`` and ``delete()``.

Nothing here imports the project's own code: a rename there never breaks a fresh database.
"""

from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.contrib.postgres.operations import TrigramExtension
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEXES = [
    ("claim", GinIndex(SearchVector("text", "claimant", config="simple"), name="claim_search")),
    ("claim", GistIndex(fields=["text"], opclasses=["gist_trgm_ops"], name="claim_text_trgm")),
    (
        "externalreview",
        GistIndex(
            fields=["claim_reviewed"], opclasses=["gist_trgm_ops"], name="external_review_trgm"
        ),
    ),
]

CORRECTION_TRIGGER = """
CREATE OR REPLACE FUNCTION claims_correction_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'a published correction is never deleted; amend it instead';
    END IF;
    IF (NEW.id, NEW.article_id, NEW.claim_id, NEW.kind, NEW.text, NEW.published_at,
        NEW.amends_id, NEW.revision_id, NEW.anchors::text)
       IS DISTINCT FROM
       (OLD.id, OLD.article_id, OLD.claim_id, OLD.kind, OLD.text, OLD.published_at,
        OLD.amends_id, OLD.revision_id, OLD.anchors::text)
    THEN
        RAISE EXCEPTION 'a published correction is never changed; amend it instead';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER claims_correction_append_only
    BEFORE UPDATE OR DELETE ON claims_correction
    FOR EACH ROW EXECUTE FUNCTION claims_correction_append_only();
"""

CORRECTION_TRIGGER_DROP = """
DROP TRIGGER IF EXISTS claims_correction_append_only ON claims_correction;
DROP FUNCTION IF EXISTS claims_correction_append_only();
"""


def postgresql_only(forwards):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            forwards(apps, schema_editor)

    return run


@postgresql_only
def indexes_create(apps, schema_editor):
    for model_name, index in INDEXES:
        schema_editor.add_index(apps.get_model("claims", model_name), index)


@postgresql_only
def indexes_drop(apps, schema_editor):
    for model_name, index in INDEXES:
        schema_editor.remove_index(apps.get_model("claims", model_name), index)


@postgresql_only
def correction_trigger_create(apps, schema_editor):
    schema_editor.execute(CORRECTION_TRIGGER)


@postgresql_only
def correction_trigger_drop(apps, schema_editor):
    schema_editor.execute(CORRECTION_TRIGGER_DROP)


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(indexes_create, indexes_drop),
        migrations.RunPython(correction_trigger_create, correction_trigger_drop),
    ]

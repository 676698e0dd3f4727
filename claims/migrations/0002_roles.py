"""Create the staff roles (groups) with exactly the permissions each needs.

Frozen: later migrations add models and their permissions; ``claims.roles.roles_ensure``
(run after every ``migrate`` by a post_migrate handler) keeps the groups in step with
``claims.roles.ROLES`` from then on.
"""

from django.db import migrations

from claims.roles import roles_grant

ROLES_0002 = {
    "Editor": [
        *(
            f"claims.{action}_{model}"
            for model in (
                "article",
                "paragraph",
                "relatedlink",
                "claim",
                "claimappearance",
                "citation",
                "source",
                "verdict",
            )
            for action in ("add", "change", "view")
        ),
        "claims.view_snapshot",
        "claims.view_rating",
        "claims.view_ratingscale",
        "claims.view_report",
        "claims.view_correction",
        "claims.publish_verdict",
        "claims.approve_verdict",
        "claims.fetch_source",
    ],
    "Reviewer": [
        "claims.view_article",
        "claims.view_claim",
        "claims.view_source",
        "claims.view_report",
        "claims.change_report",
        "claims.claim_report",
        "claims.add_correction",
        "claims.view_correction",
    ],
    "Moderator": [
        "claims.view_article",
        "claims.change_article",
        "claims.view_claim",
        "claims.view_source",
        "claims.fetch_source",
        "claims.view_snapshot",
        "claims.view_report",
        "claims.change_report",
        "claims.view_reporter_email",
        "claims.block_reporter",
        "claims.view_correction",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
    ],
}


def roles_create(apps, schema_editor):
    roles_grant(apps, ROLES_0002)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(roles_create, migrations.RunPython.noop)]

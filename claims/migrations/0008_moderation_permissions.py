"""Moderation permissions: publishing articles, the dashboard, and exporting or erasing
one reporter's personal data. The grants are frozen here as they were when written;
``claims.roles.ROLES`` is the current truth, applied after every migrate."""

from django.db import migrations

from claims.roles import roles_grant

ROLES_ADDED = {
    "Editor": ["claims.publish_article", "claims.view_dashboard"],
    "Reviewer": ["claims.view_dashboard"],
    "Moderator": [
        "claims.publish_article",
        "claims.view_dashboard",
        "claims.erase_reporter_data",
    ],
}


def roles_extend(apps, schema_editor):
    roles_grant(apps, ROLES_ADDED)


class Migration(migrations.Migration):
    dependencies = [("claims", "0007_report_state_label")]

    operations = [
        migrations.AlterModelOptions(
            name="article",
            options={
                "ordering": ["-published_at", "-id"],
                "permissions": [
                    ("publish_article", "Can publish and unpublish an article"),
                    ("view_dashboard", "Can see the newsroom dashboard"),
                ],
            },
        ),
        migrations.AlterModelOptions(
            name="report",
            options={
                "ordering": ["-created_at", "-id"],
                "permissions": [
                    ("claim_report", "Can claim and resolve reports in the review queue"),
                    ("view_reporter_email", "Can see reporters' names and email addresses"),
                    ("block_reporter", "Can block a reporter"),
                    ("erase_reporter_data", "Can export and erase one reporter's personal data"),
                ],
            },
        ),
        migrations.RunPython(roles_extend, migrations.RunPython.noop),
    ]

"""Roles for the models of 0003: moderators manage blocked reporters and see the email
outbox; the Admin role holds every permission, so it gets the new ones too.

These models do not exist in 0002's migration state, so their permissions are granted
here, frozen in this file.
"""

from django.db import migrations

from claims.roles import roles_grant

ROLES_ADDED = {
    "Moderator": [
        "claims.view_blockedreporter",
        "claims.add_blockedreporter",
        "claims.change_blockedreporter",
        "claims.delete_blockedreporter",
        "claims.view_reportemail",
    ],
    "Reviewer": ["claims.view_reportemail"],
}


def roles_extend(apps, schema_editor):
    roles_grant(apps, ROLES_ADDED)


class Migration(migrations.Migration):
    dependencies = [("claims", "0003_reports_queue")]

    operations = [migrations.RunPython(roles_extend, migrations.RunPython.noop)]

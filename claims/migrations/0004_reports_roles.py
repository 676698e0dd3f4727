"""Roles for the models of 0003: moderators manage blocked reporters and see the email
outbox; the Admin role holds every permission, so it gets the new ones too.

0002 reads ``claims.roles.ROLES`` as it is today, when these models do not exist yet in
its migration state, so their permissions are granted here, frozen in this file.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMIN_ROLE = "Admin"
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
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES_ADDED.items():
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    admin, _ = Group.objects.get_or_create(name=ADMIN_ROLE)
    admin.permissions.add(*Permission.objects.filter(content_type__app_label="claims"))


class Migration(migrations.Migration):
    dependencies = [("claims", "0003_reports_queue")]

    operations = [migrations.RunPython(roles_extend, migrations.RunPython.noop)]

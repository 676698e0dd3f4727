"""Create the staff roles (groups) with exactly the permissions each needs."""

from django.db import migrations


def roles_create(apps, schema_editor):
    from claims.roles import roles_ensure

    roles_ensure(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(roles_create, migrations.RunPython.noop)]

"""Staff roles as Django groups. ``roles_ensure`` makes them after every ``migrate`` (see
apps.py); there is no data migration for them, so renaming code here never breaks a
fresh database."""

# Each role: the codenames of the permissions it holds ("app_label.codename").
ROLES: dict[str, list[str]] = {
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
        "claims.publish_article",
        "claims.correct_article",
        "claims.view_dashboard",
        "claims.view_inbox",
        "claims.view_articlerevision",
        "claims.view_textfix",
        "claims.change_textfix",
    ],
    "Reviewer": [
        "claims.view_article",
        "claims.view_claim",
        "claims.view_source",
        "claims.view_report",
        "claims.claim_report",
        "claims.add_correction",
        "claims.view_correction",
        "claims.view_reportemail",
        "claims.view_dashboard",
        "claims.view_inbox",
        "claims.correct_article",
        "claims.view_articlerevision",
        "claims.view_textfix",
    ],
    "Moderator": [
        "claims.view_article",
        "claims.change_article",
        "claims.publish_article",
        "claims.view_dashboard",
        "claims.view_inbox",
        "claims.view_articlerevision",
        "claims.view_claim",
        "claims.view_source",
        "claims.fetch_source",
        "claims.view_snapshot",
        "claims.view_report",
        "claims.change_report",
        "claims.view_reporter_email",
        "claims.block_reporter",
        "claims.erase_reporter_data",
        "claims.view_correction",
        "claims.view_blockedreporter",
        "claims.add_blockedreporter",
        "claims.change_blockedreporter",
        "claims.delete_blockedreporter",
        "claims.view_reportemail",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
    ],
}
ADMIN_ROLE = "Admin"  # holds every permission


def _permissions_create(apps) -> None:
    """Make sure every model's permissions exist (a test's flush can leave them missing)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        had_module = getattr(app_config, "models_module", None)
        app_config.models_module = had_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = had_module


def _permissions(apps, codenames: list[str]) -> list:
    Permission = apps.get_model("auth", "Permission")
    permissions = []
    for dotted in codenames:
        app_label, codename = dotted.split(".")
        permissions.append(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return permissions


def roles_ensure(apps=None) -> None:
    """Give the role groups exactly their permissions. Idempotent: it runs after every
    ``migrate`` (post_migrate, see apps.py), and in tests after a transactional test
    emptied the tables."""
    from django.apps import apps as global_apps

    apps = apps or global_apps
    _permissions_create(apps)
    Group = apps.get_model("auth", "Group")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(_permissions(apps, codenames))
    admin, _ = Group.objects.get_or_create(name=ADMIN_ROLE)
    admin.permissions.set(apps.get_model("auth", "Permission").objects.all())

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = _("Fact checks")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from claims import signals  # noqa: F401

        post_migrate.connect(_roles_sync, sender=self)


def _roles_sync(sender, **kwargs) -> None:
    """Keep the role groups in step with claims.roles.ROLES after every migrate."""
    from claims.roles import roles_ensure

    roles_ensure()

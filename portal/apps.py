from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Accounts and providers")

    def ready(self) -> None:
        # Connects the receivers that give a user a new permissions version (portal.auth).
        from portal import auth  # noqa: F401

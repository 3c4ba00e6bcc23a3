from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Accounts and providers")

    def ready(self) -> None:
        # Connects the receivers that raise a user's permissions version.
        from portal import auth  # noqa: F401

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Service tickets")

    def ready(self) -> None:
        # The console's ticket pages are tickets.admin, found by the admin itself; the
        # canned replies are their own module beside it.
        from tickets import admin_canned  # noqa: F401

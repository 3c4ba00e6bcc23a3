from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Service tickets"

    def ready(self) -> None:
        # The console's ticket pages are tickets.admin, found by the admin itself; the
        # canned replies are their own module beside it.
        from tickets import admin_canned  # noqa: F401

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamConfig(AppConfig):
    """A seller's colleagues: invitations, roles, removal (its own app for its Invite rows)."""

    name = "portal.team"
    # The label its migrations and permissions were made under.
    label = "team"
    verbose_name = _("Team")
    default_auto_field = "django.db.models.BigAutoField"

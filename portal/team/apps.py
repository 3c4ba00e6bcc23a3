from django.apps import AppConfig


class TeamConfig(AppConfig):
    """A seller's colleagues: invitations, roles, removal (its own app for its Invite rows)."""

    name = "portal.team"
    # The label its migrations and permissions were made under.
    label = "team"
    default_auto_field = "django.db.models.BigAutoField"

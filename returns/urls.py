from django.urls import path, register_converter

from returns import instruction_views, photos, views

app_name = "returns"


class PublicIdConverter:
    """The alphabet of `models.new_public_id` (URL-safe base64): nothing else reaches a view."""

    regex = "[A-Za-z0-9_-]{1,24}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PublicIdConverter, "public_id")

# These paths are linked from emails (returns.links): keep them stable.
urlpatterns = [
    path("packages/", views.package_list, name="package_list"),
    path("packages/<public_id:public_id>/", views.package_detail, name="package_detail"),
    path("packages/<public_id:public_id>/release/", views.release, name="release"),
    path("packages/<public_id:public_id>/certificate/", views.certificate, name="certificate"),
    path(
        "packages/<public_id:public_id>/destruction-photo/",
        photos.destruction_photo,
        name="destruction_photo",
    ),
    path("notifications/", views.notification_list, name="notification_list"),
    path(
        "notifications/<int:notification_id>/read/",
        views.notification_read,
        name="notification_read",
    ),
    path("notifications/read/", views.notification_read_all, name="notification_read_all"),
    path(
        "settings/instructions/",
        instruction_views.standing_instruction,
        name="standing_instruction",
    ),
]

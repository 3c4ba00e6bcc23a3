from django.urls import path, register_converter

from returns import certificate_views, instruction_views, photos, views

app_name = "returns"


class PublicIdConverter:
    """The alphabet of `models.new_public_id` (URL-safe base64): nothing else reaches a view."""

    regex = "[A-Za-z0-9_-]{1,24}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PublicIdConverter, "public_id")


class CertificateCodeConverter(PublicIdConverter):
    """A certificate code as typed from paper: letters, digits and dashes, short."""

    regex = "[A-Za-z0-9-]{1,32}"


register_converter(CertificateCodeConverter, "certificate_code")

# These paths are linked from emails (returns.links): keep them stable.
urlpatterns = [
    path("packages/", views.package_list, name="package_list"),
    path("packages/<public_id:public_id>/", views.package_detail, name="package_detail"),
    path("packages/<public_id:public_id>/release/", views.release, name="release"),
    path("packages/<public_id:public_id>/certificate/", views.certificate, name="certificate"),
    path(
        "packages/<public_id:public_id>/certificate/pdf/",
        certificate_views.certificate_pdf_view,
        name="certificate_pdf",
    ),
    # Printed on every certificate: keep it stable.
    path("verify/<certificate_code:code>/", certificate_views.verify, name="verify"),
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

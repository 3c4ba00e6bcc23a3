from django.urls import path, register_converter

from tickets import one_click_views, views

app_name = "tickets"


class ReferenceConverter:
    """A ticket reference (`RT-7K3F9Q`, models.new_reference): capitals, digits, a dash."""

    regex = "[A-Z0-9-]{1,16}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "reference")

# These paths are linked from emails (returns.links): keep them stable.
urlpatterns = [
    path("tickets/", views.ticket_list, name="list"),
    # The one-click buttons of the seller's notices (returns.action_links); the token is in
    # the query string, never the path, which the access log prints.
    path("act/", one_click_views.act, name="act"),
    path("tickets/new/", views.new_ticket, name="new"),
    path("tickets/<reference:reference>/", views.ticket_detail, name="detail"),
    path("tickets/<reference:reference>/close/", views.close, name="close"),
    path(
        "packages/<slug:public_id>/close-tickets/",
        views.close_package_inquiries,
        name="close_package_inquiries",
    ),
    path(
        "tickets/<reference:reference>/attachments/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
]

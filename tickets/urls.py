from django.urls import path

from tickets import views

app_name = "tickets"

# These paths are linked from emails (returns.links): keep them stable.
urlpatterns = [
    path("tickets/", views.ticket_list, name="list"),
    path("tickets/new/", views.new_ticket, name="new"),
    path("tickets/<str:reference>/", views.ticket_detail, name="detail"),
    path("tickets/<str:reference>/close/", views.close, name="close"),
    path(
        "tickets/<str:reference>/attachments/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
]

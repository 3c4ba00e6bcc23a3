from django.urls import path

from returns import photos, views

app_name = "returns"

# These paths are linked from emails (returns.links): keep them stable.
urlpatterns = [
    path("packages/", views.package_list, name="package_list"),
    path("packages/<str:public_id>/", views.package_detail, name="package_detail"),
    path("packages/<str:public_id>/release/", views.release, name="release"),
    path("packages/<str:public_id>/certificate/", views.certificate, name="certificate"),
    path(
        "packages/<str:public_id>/destruction-photo/",
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
]

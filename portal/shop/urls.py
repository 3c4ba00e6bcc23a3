from django.urls import path

from portal.shop import views

app_name = "settings"

urlpatterns = [
    path("settings/", views.index, name="index"),
    path("settings/profile/", views.profile, name="profile"),
    path("settings/emails/", views.email_preferences, name="emails"),
    path("settings/addresses/", views.add_address, name="add_address"),
    path("settings/addresses/primary/remove/", views.remove_primary, name="remove_primary"),
    path("settings/addresses/<int:pk>/resend/", views.resend_address, name="resend_address"),
    path("settings/addresses/<int:pk>/remove/", views.remove_address, name="remove_address"),
    path("settings/confirm/<str:token>/", views.confirm_address, name="confirm"),
    path("settings/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("settings/return-addresses/new/", views.new_return_address, name="new_return_address"),
    path(
        "settings/return-addresses/<int:pk>/",
        views.edit_return_address,
        name="edit_return_address",
    ),
    path(
        "settings/return-addresses/<int:pk>/delete/",
        views.delete_return_address,
        name="delete_return_address",
    ),
    path(
        "settings/return-addresses/<int:pk>/default/",
        views.default_return_address,
        name="default_return_address",
    ),
]

from django.urls import path

from portal.team import views

app_name = "team"

# /team/join/<token>/ is linked from invitation emails: keep it stable.
urlpatterns = [
    path("team/", views.team, name="team"),
    path("team/invite/", views.invite, name="invite"),
    path("team/invites/<int:invite_id>/cancel/", views.cancel_invite, name="cancel_invite"),
    path("team/members/<int:user_id>/role/", views.change_role, name="change_role"),
    path("team/members/<int:user_id>/remove/", views.remove, name="remove"),
    path("team/join/<str:token>/", views.join, name="join"),
]

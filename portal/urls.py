from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from portal import views
from portal.forms import EmailAuthenticationForm
from returns.api import api
from tickets.views import dashboard

admin.site.site_header = _("Returns portal — provider console")
admin.site.site_title = _("Returns portal")
admin.site.index_title = _("Today's work")
# The sidebar's model list takes a third of a laptop screen from the package list.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    # The root URLconf composes the apps. The seller's dashboard lives in `tickets`, the
    # top of the app chain, because it shows both packages and tickets.
    path("", dashboard, name="home"),
    path("", include("returns.urls")),
    path("", include("tickets.urls")),
    path("", include("portal.shop.urls")),
    path("", include("portal.team.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("jsi18n/<str:language>/", views.javascript_catalog, name="javascript_catalog"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", views.account, name="account"),
    path("account/sign-out-others/", views.sign_out_other_sessions, name="sign_out_other_sessions"),
    path(
        "accounts/password_reset/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # Before the admin's own: the same path and name (admin:view_on_site), scoped to the
    # rows the user may see. Django's answers any staff user about any row.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(views.view_on_site),
    ),
    # The work list's last 30 days (portal.week), behind the console's sign-in.
    path("admin/week.csv", admin.site.admin_view(views.week_csv), name="console_week_csv"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

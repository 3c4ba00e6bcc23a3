from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from portal.models import LogisticsProvider, Seller, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "seller", "provider", "is_staff"]
    list_filter = ["is_staff", "is_superuser", "is_active", "provider"]
    list_select_related = ["seller", "provider"]
    search_fields = ["email", "first_name", "last_name"]
    autocomplete_fields = ["seller"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "language"]}),
        (_("Works for"), {"fields": ["seller", "seller_role", "provider"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "email",
                    "password1",
                    "password2",
                    "seller",
                    "seller_role",
                    "provider",
                    "is_staff",
                ],
            },
        )
    ]


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin[Seller]):
    list_display = ["name", "shop_code", "contact_email", "time_zone", "language"]
    search_fields = ["name", "shop_code", "contact_email"]


@admin.register(LogisticsProvider)
class LogisticsProviderAdmin(admin.ModelAdmin[LogisticsProvider]):
    list_display = ["name", "code", "support_phone", "ops_email", "time_zone", "language"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}

"""The operator's side: a seller made in the admin gets its first owner by invitation."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.admin import SellerAdmin
from portal.models import Seller, SellerRole
from portal.team import services
from portal.team.models import Invite


class SellerForm(forms.ModelForm[Seller]):
    owner_email = forms.EmailField(
        label=_("Owner email"),
        required=False,
        help_text=_(
            "Saving sends this address an invitation to become an owner of the shop "
            "(in the shop's language). Leave it empty to invite no one."
        ),
    )

    # No Meta: the admin builds the model's part from SellerAdmin, as for any seller form.

    def clean_owner_email(self) -> str:
        email: str = self.cleaned_data["owner_email"]
        seller = self.instance if self.instance.pk else None
        if email and (refusal := services.refusal_for(seller=seller, email=email)):
            raise forms.ValidationError(refusal)
        return email


admin.site.unregister(Seller)


@admin.register(Seller)
class TeamSellerAdmin(SellerAdmin):
    form = SellerForm

    def save_model(self, request: HttpRequest, obj: Seller, form: SellerForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        email = form.cleaned_data.get("owner_email")
        if not email:
            return
        if not request.user.is_authenticated:
            # The admin site lets in signed-in staff only.
            raise PermissionDenied
        # The admin saves in one transaction: the email leaves only if the seller is saved.
        invite = services.invite_colleague(
            seller=obj,
            email=email,
            role=SellerRole.OWNER,
            invited_by=request.user,
            language=obj.language,
        )
        self.message_user(
            request,
            gettext("An invitation to become an owner was sent to %(email)s.")
            % {"email": invite.email},
            messages.SUCCESS,
        )


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin[Invite]):
    """Read-only: invitations are sent from the team page and the seller form."""

    list_display = ["email", "seller", "role", "created_at", "expires_at", "accepted_at"]
    list_select_related = ["seller"]
    search_fields = ["email", "seller__name", "seller__shop_code"]
    exclude = ["token_digest"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Invite]:
        # The admin's own queryset is the model's manager's, ordered only by an `ordering`
        # this admin does not set: the scoped manager is the same rows.
        return Invite.objects.for_user(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Invite | None = None) -> bool:
        return False

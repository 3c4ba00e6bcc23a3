from typing import TYPE_CHECKING

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from portal.models import SellerRole, User

if TYPE_CHECKING:
    # Generic in django-stubs only: django_stubs_ext.monkeypatch() covers model forms and
    # admins, not the auth forms, which cannot be imported while the settings load.
    _SetPasswordForm = SetPasswordForm[User]
else:
    _SetPasswordForm = SetPasswordForm

# "Owner", "Member": the role's name as a choice of its own, capitalised in every language.
ROLE_CHOICES = [(value, capfirst(label)) for value, label in SellerRole.choices]


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=ROLE_CHOICES,
        initial=SellerRole.MEMBER,
        help_text=_("Members work packages and tickets; owners also run settings and the team."),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)


class JoinForm(_SetPasswordForm):
    """The invitee's name and password; Django's password rules, checked against their email."""

    first_name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    field_order = ["first_name", "new_password1", "new_password2"]

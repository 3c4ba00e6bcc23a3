"""The settings forms validate and render; `shop.services` makes the changes."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.models import ReturnAddress, validate_time_zone

# The <datalist> the time-zone field offers (settings/index.html): the browser filters
# it as the seller types, with no script and nothing from a CDN.
TIME_ZONE_LIST = "time-zones"


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Display name"), max_length=120)
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        validators=[validate_time_zone],
        widget=forms.TextInput(attrs={"list": TIME_ZONE_LIST, "autocomplete": "off"}),
        help_text=_("Type a city to search, e.g. Bangkok. Deadlines are shown in this zone."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        help_text=_("Of the shop's emails, and of these pages for anyone who has not chosen one."),
    )

    def clean_time_zone(self) -> str:
        return str(self.cleaned_data["time_zone"]).strip()


class NotificationAddressForm(forms.Form):
    email = forms.EmailField(
        label=_("Add an address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We email it a link to confirm; it receives nothing until then."),
    )


class EmailPreferencesForm(forms.Form):
    reminder_emails = forms.BooleanField(
        label=_("Deadline reminders"),
        required=False,
        help_text=_("Before a package's deadline, while you have not decided."),
    )
    ticket_reply_emails = forms.BooleanField(
        label=_("Ticket replies"),
        required=False,
        help_text=_("When the provider answers one of your tickets."),
    )


class ReturnAddressForm(forms.ModelForm[ReturnAddress]):
    class Meta:
        model = ReturnAddress
        fields = ["label", "contact_name", "phone", "address", "is_default"]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "contact_name": forms.TextInput(attrs={"autocomplete": "name"}),
        }
        labels = {"is_default": _("Use this address for new send-back tickets")}

    def validate_unique(self) -> None:
        # The label's uniqueness per seller is the service's to check: the form has no seller.
        return

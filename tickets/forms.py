"""Ticket forms validate and render; `tickets.services` makes the changes."""

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from portal.formatting import choice_label
from portal.models import LogisticsProvider, ReturnAddress, User
from returns.models import FailedPackage
from tickets.attachments import (
    ACCEPT,
    MAX_FILE_SIZE,
    MAX_FILES_PER_MESSAGE,
    CheckedUpload,
    check_uploads,
)
from tickets.models import Ticket
from tickets.selectors import offered_packages, providers_for, ticket_packages
from tickets.services import SendBackAddress, TicketRequest

Category = Ticket.Category

CATEGORY_HELP: dict[str, StrOrPromise] = {
    Category.SEND_BACK: _("The provider delivers the package to an address you choose."),
    Category.PICK_UP: _("You collect the package at the provider's warehouse."),
    Category.NOT_NEEDED: _("The provider destroys the package now; you get a certificate."),
    Category.QUESTION: _("Ask the provider anything about a package or a delivery."),
    Category.DISPUTE: _("Something is wrong, e.g. “I did not reject this package”."),
}

# The fields each category asks for, in order, and which of them it requires.
CATEGORY_FIELDS: dict[str, list[str]] = {
    Category.SEND_BACK: ["package", "delivery_address", "contact_phone", "preferred_date"],
    Category.PICK_UP: ["package", "preferred_date", "preferred_time", "contact_phone"],
    Category.NOT_NEEDED: ["package", "confirm"],
    Category.QUESTION: ["package", "provider"],
    Category.DISPUTE: ["package"],
}
REQUIRED: dict[str, set[str]] = {
    Category.SEND_BACK: {"package", "delivery_address", "contact_phone"},
    Category.PICK_UP: {"package", "preferred_date", "preferred_time"},
    Category.NOT_NEEDED: {"package", "confirm"},
    Category.QUESTION: {"body"},
    Category.DISPUTE: {"package", "body"},
}
DEFAULT_BODY: dict[str, StrOrPromise] = {
    Category.SEND_BACK: _("Please send this package back to me."),
    Category.PICK_UP: _("I will pick this package up."),
    Category.NOT_NEEDED: _("I no longer need this package; it can be destroyed."),
}


# The package list shows at most this many; past that the seller searches (no script needed).
PACKAGE_MATCHES = 50


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to five JPEG, PNG or PDF files, each checked by content and size."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            format_lazy(
                _(
                    "Optional: photos (JPEG, PNG) or PDF documents, up to {count} files of at "
                    "most {size} MB each."
                ),
                count=MAX_FILES_PER_MESSAGE,
                size=MAX_FILE_SIZE // (1024 * 1024),
            ),
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[CheckedUpload]:
        uploads = []
        for upload in data or []:
            if upload:
                uploads.append(super().clean(upload))
        return check_uploads(uploads)


def _package_labels(packages: list[FailedPackage]) -> list[tuple[str, str]]:
    # The wording and each status's label are translated once for the list, not on each row.
    wording = gettext("%(tracking)s · order %(order)s · %(status)s")
    statuses: dict[str, str] = {}
    for package in packages:
        if package.status not in statuses:
            statuses[package.status] = choice_label(package, "status")
    return [
        (
            package.public_id,
            wording
            % {
                "tracking": package.tracking_number,
                "order": package.order_id,
                "status": statuses[package.status],
            },
        )
        for package in packages
    ]


if TYPE_CHECKING:
    # Mixed into the two ticket forms only.
    _FormMixin = forms.Form
else:
    _FormMixin = object


class PackagePicker(_FormMixin):
    """The package field of both steps: it accepts every package the category may be about
    (`ticket_packages`) but lists at most PACKAGE_MATCHES of them, the chosen one kept, so a
    seller with 15,000 packages gets a short page; `search` narrows the list."""

    matches_shown = PACKAGE_MATCHES

    def offer_packages(self, user: User, category: str | None, search: str) -> None:
        field: Any = self.fields["package"]  # a ModelChoiceField
        field.queryset = ticket_packages(user)
        found = offered_packages(user, category, search=search, limit=PACKAGE_MATCHES)
        self.package_search = search
        self.more_packages = len(found) > PACKAGE_MATCHES
        found = found[:PACKAGE_MATCHES]
        chosen = self.data.get("package") if self.is_bound else self.initial.get("package")
        # PostgreSQL refuses a NUL even in a lookup, and no public id holds one.
        listed = {package.public_id for package in found}
        if chosen and "\x00" not in str(chosen) and str(chosen) not in listed:
            found[:0] = field.queryset.filter(public_id=chosen)[:1]
        self.offered = found
        choices = _package_labels(found)
        if field.empty_label is not None:
            choices.insert(0, ("", field.empty_label))
        field.choices = choices

    @property
    def searchable(self) -> bool:
        return self.more_packages or bool(self.package_search)


def _category_choices() -> list[tuple[str, str]]:
    # A callable, so the labels are rendered in the reader's language on each request.
    return [
        (
            value,
            format_html(
                '<span class="fw-semibold">{}</span><br><span class="small text-secondary">{}'
                "</span>",
                label,
                CATEGORY_HELP[value],
            ),
        )
        for value, label in Category.choices
    ]


class CategoryForm(PackagePicker, forms.Form):
    """The first step of a new ticket: what the seller needs, and about which package."""

    category = forms.ChoiceField(
        label=_("What do you need?"),
        choices=_category_choices,
        widget=forms.RadioSelect,
    )
    package: forms.ModelChoiceField[FailedPackage] = forms.ModelChoiceField(
        label=_("Package"),
        queryset=None,
        to_field_name="public_id",
        required=False,
        empty_label=_("Not about one package"),
    )

    def __init__(self, *args: Any, user: User, search: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer_packages(user, None, search)


class TicketForm(PackagePicker, forms.Form):
    """The second step: the details one category needs; it builds a `TicketRequest`."""

    category = forms.ChoiceField(choices=Category.choices, widget=forms.HiddenInput)
    package: forms.ModelChoiceField[FailedPackage] = forms.ModelChoiceField(
        label=_("Package"), queryset=None, to_field_name="public_id", required=False
    )
    provider: forms.ModelChoiceField[LogisticsProvider] = forms.ModelChoiceField(
        label=_("Logistics provider"),
        queryset=None,
        required=False,
        help_text=_("Only needed when the question is not about one package."),
        empty_label=_("Choose a provider"),
    )
    delivery_address = forms.CharField(
        label=_("Deliver it to"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
        help_text=_("Full address, with the name of the person who will receive it."),
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=_("For the courier or the warehouse to reach you."),
    )
    preferred_date = forms.DateField(
        label=_("Preferred date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    preferred_time = forms.TimeField(
        label=_("Preferred time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Within the warehouse's opening hours."),
    )
    confirm = forms.BooleanField(
        label=_("I understand the package will be destroyed, and that this cannot be undone."),
        required=False,
    )
    subject = forms.CharField(
        label=_("Subject"),
        required=False,
        max_length=200,
        help_text=_("Optional: we fill it in from the package if you leave it empty."),
    )
    body = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    attachments = AttachmentsField(label=_("Attachments"))

    def __init__(
        self,
        *args: Any,
        category: str,
        user: User,
        search: str = "",
        address: str = "",
        **kwargs: Any,
    ) -> None:
        """`address`: the saved return address to start from (its id), else the default."""
        super().__init__(*args, **kwargs)
        self.user = user
        self.ticket_category = category
        self.fields["category"].initial = category
        kept = ["category", *CATEGORY_FIELDS[category], "subject", "body", "attachments"]
        for name in list(self.fields):
            if name not in kept:
                del self.fields[name]
            elif name in REQUIRED[category]:
                self.fields[name].required = True
        self.order_fields(kept)

        if "package" not in REQUIRED[category]:
            self.fields["package"].empty_label = _("Not about one package")  # type: ignore[attr-defined]
        self.offer_packages(user, category, search)
        if "provider" in self.fields:
            self.fields["provider"].queryset = providers_for(user)  # type: ignore[attr-defined]
        if category in DEFAULT_BODY:
            self.fields["body"].help_text = _("Optional: anything the provider should know.")
        self.saved_addresses: list[ReturnAddress] = []
        if "delivery_address" in self.fields:
            self._start_from_saved_address(address)

    def _start_from_saved_address(self, chosen_id: str) -> None:
        """Fill in a saved address (the chosen one, else the default); the seller may edit it."""
        self.saved_addresses = list(ReturnAddress.objects.for_user(self.user))
        by_id = {str(saved.pk): saved for saved in self.saved_addresses}
        default = next((saved for saved in self.saved_addresses if saved.is_default), None)
        self.chosen_address = by_id.get(chosen_id, default)
        if self.chosen_address is None or self.is_bound or self.initial.get("delivery_address"):
            return
        self.initial["delivery_address"] = self.chosen_address.delivery_text
        self.initial["contact_phone"] = self.chosen_address.phone

    def clean_preferred_date(self) -> date | None:
        preferred: date | None = self.cleaned_data["preferred_date"]
        seller = self.user.seller
        today = timezone.localdate(timezone=seller.zone if seller else None)
        if preferred and preferred < today:
            raise forms.ValidationError(gettext("Choose today or a later date."))
        return preferred

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "provider" in self.fields and not (cleaned.get("package") or cleaned.get("provider")):
            self.add_error(
                "provider", gettext("Choose a package or the provider your question is for.")
            )
        return cleaned

    def ticket_request(self) -> TicketRequest:
        data = self.cleaned_data
        package = data.get("package")
        return TicketRequest(
            category=Category(self.ticket_category),
            subject=data["subject"].strip() or _default_subject(self.ticket_category, package),
            body=data["body"].strip() or str(DEFAULT_BODY.get(self.ticket_category, "")),
            package=package,
            provider=data.get("provider"),
            delivery_address=data.get("delivery_address", "").strip(),
            contact_phone=data.get("contact_phone", "").strip(),
            preferred_date=data.get("preferred_date"),
            preferred_time=data.get("preferred_time"),
        )


def _default_subject(category: str, package: FailedPackage | None) -> str:
    label = Category(category).label
    if package is None:
        return str(label)
    # Translators: a ticket's subject, e.g. "Send it back to me: package TH-7781".
    return gettext("%(category)s: package %(tracking)s") % {
        "category": label,
        "tracking": package.tracking_number,
    }


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachments = AttachmentsField(label=_("Attachments"))


class StaffReplyForm(forms.Form):
    """The console's reply box: one text, sent to the seller or kept as an internal note."""

    REPLY = "reply"
    NOTE = "note"

    body = forms.CharField(
        label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6, "cols": 80})
    )
    attachments = AttachmentsField(label=_("Attachments"))
    # Set by the button pressed: "Send to the seller" or "Add an internal note".
    send_as = forms.ChoiceField(
        choices=[(REPLY, _("Reply to the seller")), (NOTE, _("Internal note"))],
        widget=forms.HiddenInput,
        error_messages={"required": _("Choose whether to reply to the seller or add a note.")},
    )

    # Not required: a post without it (a note, an older page) leaves the status as it is.
    next_status = forms.ChoiceField(
        label=_("After a reply, the ticket is"),
        required=False,
        widget=forms.RadioSelect,
        help_text=_("An internal note leaves the status as it is."),
    )

    def __init__(
        self, *args: Any, statuses: Sequence[tuple[str, StrOrPromise]] = (), **kwargs: Any
    ) -> None:
        """`statuses`: the ticket's own and those staff may move it to, as (value, label)."""
        super().__init__(*args, **kwargs)
        self.fields["next_status"].choices = list(statuses)  # type: ignore[attr-defined]

    @property
    def internal(self) -> bool:
        return bool(self.cleaned_data["send_as"] == self.NOTE)


class SendBackAddressForm(forms.Form):
    """Where a one-click "Send it back to me" sends the package (tickets.one_click)."""

    contact_name = forms.CharField(label=_("Contact name"), max_length=120)
    phone = forms.CharField(label=_("Phone"), max_length=40)
    address = forms.CharField(
        label=_("Address"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def address_value(self) -> SendBackAddress:
        data = self.cleaned_data
        return SendBackAddress(
            contact_name=data["contact_name"].strip(),
            phone=data["phone"].strip(),
            address=data["address"].strip(),
        )

from datetime import datetime
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count, QuerySet
from django.forms.renderers import BaseRenderer
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeData, SafeString
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.models import LogisticsProvider
from returns.models import DeliveryAttempt, FailedPackage, InstructionRule, photo_type
from returns.timestamps import time_problem

# A row takes several milliseconds (its own transaction through the services), and the
# upload is imported while the operator waits: larger files go through the command.
MAX_IMPORT_ROWS = 1000
MAX_IMPORT_BYTES = 1024 * 1024


class PackageImportForm(forms.Form):
    provider = forms.ModelChoiceField(
        queryset=LogisticsProvider.objects.none(),
        help_text=_("The packages are registered at this provider."),
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=format_lazy(
            _("At most {rows} rows; import larger files with manage.py import_packages."),
            rows=f"{MAX_IMPORT_ROWS:,}",
        ),
    )

    def __init__(self, *args: Any, providers: QuerySet[LogisticsProvider], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers  # type: ignore[attr-defined]

    def clean_file(self) -> UploadedFile[bytes]:
        file: UploadedFile[bytes] = self.cleaned_data["file"]
        size = file.size or 0
        if size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                gettext(
                    "The file is %(size)s; the upload takes at most %(limit)s. "
                    "Split it, or use manage.py import_packages."
                )
                % {"size": filesizeformat(size), "limit": filesizeformat(MAX_IMPORT_BYTES)}
            )
        rows = len(file.read().splitlines()) - 1
        file.seek(0)
        if rows > MAX_IMPORT_ROWS:
            raise forms.ValidationError(
                gettext(
                    "The file has %(rows)s rows; the upload takes at most %(limit)s. "
                    "Split it, or use manage.py import_packages."
                )
                % {"rows": f"{rows:,}", "limit": f"{MAX_IMPORT_ROWS:,}"}
            )
        return file


# --- the console's actions ------------------------------------------------------------


DAMAGED = _("This form is incomplete; choose the packages and the action again.")


class FailedAttemptForm(forms.Form):
    attempted_at = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    failure_reason = forms.CharField(
        label=_("Why it failed"),
        max_length=200,
        help_text=_("The seller reads this in the destruction notice after the last attempt."),
    )
    courier_note = forms.CharField(
        label=_("Courier's note"),
        required=False,
        max_length=DeliveryAttempt._meta.get_field("courier_note").max_length,
        widget=forms.Textarea,
    )

    # The attempts each selected package had when this form was shown ("pk:count,…"). The
    # attempt recorded is the next one after those, so the form sent twice (a double
    # click, the browser's "resend", the back button) records it once, and a form left
    # open while a colleague recorded the attempt records nothing.
    attempts_seen = forms.CharField(
        widget=forms.HiddenInput,
        error_messages={"required": DAMAGED},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone = timezone.get_current_timezone_name()
        self.fields["attempted_at"].label = gettext("Time of the attempt (%(zone)s)") % {
            "zone": zone
        }
        self.fields["attempted_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def clean_attempted_at(self) -> datetime:
        attempted_at: datetime = self.cleaned_data["attempted_at"]
        problem = time_problem(attempted_at)
        if problem:
            raise forms.ValidationError(problem)
        return attempted_at

    @staticmethod
    def seen(packages: QuerySet[FailedPackage]) -> str:
        counts = packages.annotate(count=Count("attempts")).values_list("pk", "count")
        return ",".join(f"{pk}:{count}" for pk, count in counts.order_by("pk"))

    def clean_attempts_seen(self) -> dict[int, int]:
        try:
            pairs = (item.split(":") for item in self.cleaned_data["attempts_seen"].split(","))
            return {int(pk): int(count) for pk, count in pairs}
        except ValueError:
            raise forms.ValidationError(DAMAGED) from None


class WithdrawClaimForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the claim is withdrawn"),
        widget=forms.Textarea,
        help_text=_(
            "The seller reads this in their email; the package then waits for destruction."
        ),
    )


# Photos are evidence, not archives: a phone picture is well under this.
MAX_PHOTO_BYTES = 10 * 1024 * 1024


class DestructionForm(forms.Form):
    reference = forms.CharField(
        label=_("Destruction reference"),
        max_length=64,
        help_text=_("The number on your destruction record; the seller's certificate shows it."),
    )
    # An empty first choice, and no default: a preselected method once reached a
    # certificate though nobody had chosen it.
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[("", _("Choose the method")), *FailedPackage.DestructionMethod.choices],
        error_messages={"required": _("Choose how the packages were destroyed.")},
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
        help_text=format_lazy(
            _("JPEG or PNG, at most {size}."), size=filesizeformat(MAX_PHOTO_BYTES)
        ),
    )

    def clean_photo(self) -> UploadedFile[bytes] | None:
        photo: UploadedFile[bytes] | None = self.cleaned_data["photo"]
        if not photo:
            return None
        size = photo.size or 0
        if size > MAX_PHOTO_BYTES:
            raise forms.ValidationError(
                gettext("The photo is %(size)s; at most %(limit)s is accepted.")
                % {"size": filesizeformat(size), "limit": filesizeformat(MAX_PHOTO_BYTES)}
            )
        # By content, not by name: a renamed text file is not a picture. The service
        # checks again where it stores the photo; this check answers on the form.
        if photo_type(photo) is None:
            raise forms.ValidationError(gettext("The photo must be a JPEG or PNG picture."))
        return photo


class BootstrapBoundField(forms.BoundField):
    """A field that failed validation gets Bootstrap's `is-invalid`, which shows its
    error below it in red."""

    def build_widget_attrs(
        self, attrs: dict[str, Any], widget: forms.Widget | None = None
    ) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        if self.errors:
            widget = widget or self.field.widget
            attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".lstrip()
        return attrs


def _text(value: object) -> str:
    """`{{ value|stringformat:'s' }}` in an autoescaping template."""
    return str(value) if isinstance(value, SafeData) else escape(str(value))


def _attrs_html(attrs: dict[str, Any]) -> str:
    """What django/forms/widgets/attrs.html writes."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class WrittenTextInput(forms.TextInput):
    """Django's text input, the markup of django/forms/widgets/input.html written in Python:
    the list's filters render on its every request, and the widget templates were a
    tenth of the page."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
        return SafeString(
            f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"'
            f"{shown}{_attrs_html(widget['attrs'])}>"
        )


class WrittenSelect(forms.Select):
    """Django's select, as django/forms/widgets/select.html and select_option.html write it."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{escape(widget["name"])}"{_attrs_html(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_text(group_name)}">')
            parts.extend(
                f'\n  <option value="{_text(option["value"])}"{_attrs_html(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
                for option in options
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return SafeString("".join(parts))


class PackageFilterForm(forms.Form):
    """The package list's filters, read from the query string.

    The page lays the form out by hand (templates/returns/package_list.html): it is on
    the busiest page, and crispy's layout took a fifth of that page's rendering.
    """

    bound_field_class = BootstrapBoundField

    search = forms.CharField(
        label=_("Tracking number or order id"),
        required=False,
        max_length=64,
        widget=WrittenTextInput(
            attrs={
                "type": "search",
                "placeholder": _("e.g. TH1234567890"),
                "class": "textinput form-control",
            }
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *FailedPackage.Status.choices],
        widget=WrittenSelect(attrs={"class": "select form-select"}),
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            # The keys of returns.selectors.SORTS.
            ("action", _("Needs action")),
            ("deadline", _("Soonest deadline")),
            ("newest", _("Newest")),
        ],
        widget=WrittenSelect(attrs={"class": "select form-select"}),
    )

    def filters(self) -> dict[str, Any]:
        """Valid filters for `selectors.package_list`; anything unreadable is ignored."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "status": data.get("status", ""),
            "search": data.get("search", "").strip(),
            "sort": data.get("sort") or "action",
        }


class StandingInstructionForm(forms.Form):
    """The seller's rule for a package's last failed attempt (returns.instructions)."""

    rule = forms.ChoiceField(
        label=_("When a package cannot be delivered after the last attempt"),
        choices=InstructionRule.choices,
        widget=forms.RadioSelect,
    )
    min_value = forms.DecimalField(
        label=_("Declared value at least"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    currency = forms.CharField(
        label=_("Currency"),
        required=False,
        max_length=3,
        help_text=_(
            "Three letters, e.g. THB. A package declared in another currency is left to you."
        ),
    )

    def clean_currency(self) -> str:
        currency: str = self.cleaned_data["currency"].strip().upper()
        if currency and not (len(currency) == 3 and currency.isalpha()):
            raise forms.ValidationError(_("Give the currency as three letters, e.g. THB."))
        return currency

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("rule") == InstructionRule.SEND_BACK_ABOVE:
            if data.get("min_value") is None:
                self.add_error("min_value", _("Give the declared value to compare with."))
            if not data.get("currency"):
                self.add_error("currency", _("Give the currency of that value."))
        return data

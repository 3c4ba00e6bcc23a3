from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Layout, Row
from django import forms
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat

from portal.models import LogisticsProvider
from returns.models import FailedPackage

# A row takes several milliseconds (its own transaction through the services), and the
# upload is imported while the operator waits: larger files go through the command.
MAX_IMPORT_ROWS = 1000
MAX_IMPORT_BYTES = 1024 * 1024


class PackageImportForm(forms.Form):
    provider = forms.ModelChoiceField(
        queryset=LogisticsProvider.objects.none(),
        help_text="The packages are registered at this provider.",
    )
    file = forms.FileField(
        label="CSV file",
        help_text=(
            f"At most {MAX_IMPORT_ROWS:,} rows; import larger files with manage.py import_packages."
        ),
    )

    def __init__(self, *args, providers: QuerySet[LogisticsProvider], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                f"The file is {filesizeformat(file.size)}; the upload takes at most "
                f"{filesizeformat(MAX_IMPORT_BYTES)}. Split it, or use manage.py import_packages."
            )
        rows = len(file.read().splitlines()) - 1
        file.seek(0)
        if rows > MAX_IMPORT_ROWS:
            raise forms.ValidationError(
                f"The file has {rows:,} rows; the upload takes at most {MAX_IMPORT_ROWS:,}. "
                "Split it, or use manage.py import_packages."
            )
        return file


class PackageFilterForm(forms.Form):
    """The package list's filters, read from the query string."""

    search = forms.CharField(
        label="Tracking number or order id",
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. TH1234567890"}),
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "All statuses"), *FailedPackage.Status.choices],
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[
            # The keys of returns.selectors.SORTS.
            ("action", "Needs action"),
            ("deadline", "Soonest deadline"),
            ("newest", "Newest"),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "mb-3"
        self.helper.attrs = {"role": "search", "aria-label": "Filter packages"}
        self.helper.layout = Layout(
            Row(
                Column("search", css_class="col-12 col-md-4"),
                Column("status", css_class="col-6 col-md-3"),
                Column("sort", css_class="col-6 col-md-3"),
                Column(
                    HTML('<button type="submit" class="btn btn-primary w-100">Show</button>'),
                    css_class="col-12 col-md-2 d-flex align-items-end mb-3",
                ),
            )
        )

    def filters(self) -> dict:
        """Valid filters for `selectors.package_list`; anything unreadable is ignored."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "status": data.get("status", ""),
            "search": data.get("search", "").strip(),
            "sort": data.get("sort") or "action",
        }

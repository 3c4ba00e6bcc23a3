from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Layout, Row
from django import forms

from returns.models import FailedPackage


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

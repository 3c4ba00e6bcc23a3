from django import forms
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat

from portal.models import LogisticsProvider

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

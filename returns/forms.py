from django import forms
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat

from portal.models import LogisticsProvider

# Well above a day's returns of a large provider, small enough to check in one request.
MAX_IMPORT_BYTES = 5 * 1024 * 1024


class PackageImportForm(forms.Form):
    provider = forms.ModelChoiceField(
        queryset=LogisticsProvider.objects.none(),
        help_text="The packages are registered at this provider.",
    )
    file = forms.FileField(label="CSV file")

    def __init__(self, *args, providers: QuerySet[LogisticsProvider], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                f"The file is {filesizeformat(file.size)}; split it into files of at most "
                f"{filesizeformat(MAX_IMPORT_BYTES)}."
            )
        return file

from django import template
from django.db.models import Model

from portal import languages
from portal.formatting import choice_label

register = template.Library()


@register.filter
def html_lang(code: str | None) -> str:
    """`{{ LANGUAGE_CODE|html_lang }}`: `zh-hans` → `zh-Hans`, an unknown code → `en`."""
    return languages.html_lang(code)


@register.filter
def label(instance: Model, field_name: str) -> str:
    """`{{ ticket|label:"status" }}`: what `get_status_display` gives (`choice_label`)."""
    return choice_label(instance, field_name)

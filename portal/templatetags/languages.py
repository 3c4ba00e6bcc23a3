from django import template

from portal import languages

register = template.Library()


@register.filter
def html_lang(code: str | None) -> str:
    """`{{ LANGUAGE_CODE|html_lang }}`: `zh-hans` → `zh-Hans`, an unknown code → `en`."""
    return languages.html_lang(code)

from functools import cache

from django import template
from django.db.models import Field, Model
from django.utils.functional import Promise

from portal import languages

register = template.Library()


@register.filter
def html_lang(code: str | None) -> str:
    """`{{ LANGUAGE_CODE|html_lang }}`: `zh-hans` → `zh-Hans`, an unknown code → `en`."""
    return languages.html_lang(code)


@cache
def _labels(model: type[Model], field_name: str) -> dict[object, str | Promise]:
    field = model._meta.get_field(field_name)
    if not isinstance(field, Field):  # a relation's reverse side has no choices
        raise TypeError(f"{model.__name__}.{field_name} is not a field with choices")
    return dict(field.flatchoices)


@register.filter
def label(instance: Model, field_name: str) -> str:
    """`{{ ticket|label:"status" }}`: what `get_status_display` gives, translating one label.

    `get_FOO_display` hashes every choice's lazy label on each call, which translates them
    all: on a list, every label of the field on every row.
    """
    value = getattr(instance, field_name)
    return str(_labels(type(instance), field_name).get(value, value))

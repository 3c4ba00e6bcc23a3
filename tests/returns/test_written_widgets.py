"""The package list's filter widgets write what Django's widget templates write."""

import pytest
from django import forms
from django.utils.safestring import mark_safe

from returns.forms import WrittenSelect, WrittenTextInput

CHOICES = [("", "All"), ("a", "A & B"), ("b", '"Quoted"')]
GROUPED = [("", "None"), ("Group <1>", [("x", "X"), ("y", "Y")]), ("z", "Z")]
ATTRS = {"class": "select form-select", "id": "id_f", "required": True, "hidden": False}


@pytest.mark.parametrize("choices", [CHOICES, GROUPED], ids=["flat", "grouped"])
@pytest.mark.parametrize("value", ["", "a", "x", "<nope>", None])
def test_select_as_the_template_writes_it(choices, value):
    written = WrittenSelect(attrs={"data-x": "<1>"}, choices=choices)
    django_select = forms.Select(attrs={"data-x": "<1>"}, choices=choices)
    assert written.render("f", value, ATTRS) == django_select.render("f", value, ATTRS)


@pytest.mark.parametrize("value", ["", "TRK <1> & 'x'", mark_safe("<b>"), 12, None])
def test_text_input_as_the_template_writes_it(value):
    attrs = {"type": "search", "placeholder": "e.g. <TRK1>", "class": "textinput"}
    written = WrittenTextInput(attrs=dict(attrs))
    django_input = forms.TextInput(attrs=dict(attrs))
    assert written.render("q", value, {"maxlength": 64, "autofocus": True}) == django_input.render(
        "q", value, {"maxlength": 64, "autofocus": True}
    )

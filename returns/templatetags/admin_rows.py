"""`{% written_result_list cl %}`: the admin's `{% result_list %}` with rows from
returns.admin.rows, the same template and the same markup."""

from typing import Any

from django import template
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.views.main import ChangeList
from django.template.base import Parser, Token

from returns.admin import rows

register = template.Library()


def _result_list(cl: ChangeList) -> dict[str, Any]:
    # admin_list.result_list, its rows written by returns.admin.rows.
    headers = list(admin_list.result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(admin_list.result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": list(rows.results(cl)),
    }


@register.tag(name="written_result_list")
def written_result_list(parser: Parser, token: Token) -> InclusionAdminNode:
    # django-stubs give this class a leading `name` Django's own does not take.
    return InclusionAdminNode(  # type: ignore[call-arg]
        parser,  # type: ignore[arg-type]
        token,  # type: ignore[arg-type]
        func=_result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )

from django import template

from portal.worklist import work_for

register = template.Library()


@register.inclusion_tag("admin/_work_list.html", takes_context=True)
def work_list(context) -> dict:
    """`{% work_list %}` on the admin index: the signed-in user's rows."""
    return {"items": work_for(context["request"].user)}

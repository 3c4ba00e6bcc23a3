"""`/settings/instructions/`: the seller's standing instruction (returns.instructions).

Owners only: it decides what happens to every package of the shop.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from portal.models import default_return_address
from portal.tenancy import AuthenticatedRequest, seller_required
from returns import instructions
from returns.forms import StandingInstructionForm
from returns.models import InstructionRule, StandingInstruction

HISTORY_ROWS = 10


@seller_required
@require_http_methods(["GET", "POST"])
def standing_instruction(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    seller_id = user.seller_id
    if seller_id is None or not user.is_seller_owner:
        raise PermissionDenied(gettext("Only the shop's owners can change its settings."))
    current = instructions.current_instruction(seller_id)
    form = StandingInstructionForm(
        request.POST or None,
        initial={
            "rule": current.rule if current else InstructionRule.ASK,
            "min_value": current.min_value if current else None,
            "currency": current.currency if current else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            instructions.set_instruction(
                seller_id=seller_id,
                rule=data["rule"],
                min_value=data["min_value"],
                currency=data["currency"],
                by=user,
            )
        except instructions.UnchangedInstruction:
            messages.info(request, gettext("That is your standing instruction already."))
        else:
            messages.success(
                request,
                gettext(
                    "Saved. It applies to the next package that cannot be delivered; "
                    "packages already decided stay as they are."
                ),
            )
        return redirect("returns:standing_instruction")
    history = (
        StandingInstruction.objects.for_user(user)
        .select_related("set_by")
        .order_by("-set_at", "-id")[:HISTORY_ROWS]
    )
    return render(
        request,
        "returns/standing_instruction.html",
        {
            "form": form,
            "history": history,
            "has_address": default_return_address(seller_id) is not None,
        },
        status=400 if form.is_bound else 200,
    )

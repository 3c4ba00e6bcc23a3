"""`/team/`: owners invite, change roles and remove; members read the list. And joining."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.languages import language_of, recipient_language
from portal.models import User
from portal.team import selectors, services
from portal.team.forms import InviteForm, JoinForm, RoleForm
from portal.team.models import Invite
from portal.tenancy import AuthenticatedRequest, seller_of, seller_required


def _owner_only(request: AuthenticatedRequest) -> None:
    # The list is the whole team's to read; changing it is the owners'.
    if not request.user.is_seller_owner:
        raise PermissionDenied(gettext("Only an owner of the shop can change the team."))


def _team_page(
    request: AuthenticatedRequest, form: InviteForm | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "team/team.html",
        {
            "members": selectors.members_of(request.user),
            "invites": selectors.pending_invites(request.user),
            "form": form or InviteForm(),
            "role_form": RoleForm,
            "is_owner": request.user.is_seller_owner,
        },
        status=status,
    )


@seller_required
@require_GET
def team(request: AuthenticatedRequest) -> HttpResponse:
    return _team_page(request)


@seller_required
@require_POST
def invite(request: AuthenticatedRequest) -> HttpResponse:
    _owner_only(request)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _team_page(request, form, status=400)
    try:
        sent = services.invite_colleague(
            seller=seller_of(request.user),
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            invited_by=request.user,
            language=recipient_language(language_of(request.user)),
        )
    except services.TeamError as refusal:
        form.add_error("email", refusal.message)
        return _team_page(request, form, status=400)
    messages.success(
        request,
        gettext("Invitation sent to %(email)s.") % {"email": sent.email},
    )
    return redirect("team:team")


@seller_required
@require_POST
def cancel_invite(request: AuthenticatedRequest, invite_id: int) -> HttpResponse:
    _owner_only(request)
    pending = get_object_or_404(Invite.objects.for_user(request.user), pk=invite_id)
    if services.revoke_invite(invite=pending):
        messages.success(
            request, gettext("The invitation to %(email)s is cancelled.") % {"email": pending.email}
        )
    else:
        messages.info(request, gettext("That invitation was already used or cancelled."))
    return redirect("team:team")


@seller_required
@require_POST
def change_role(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    _owner_only(request)
    member = get_object_or_404(selectors.members_of(request.user), pk=user_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose owner or member."))
        return redirect("team:team")
    try:
        changed = services.change_role(
            actor=request.user, member=member, role=form.cleaned_data["role"]
        )
    except services.TeamError as refusal:
        messages.error(request, refusal.message)
        return redirect("team:team")
    if changed:
        member.refresh_from_db(fields=["seller_role"])
        messages.success(
            request,
            gettext("%(email)s is now %(role)s.")
            % {"email": member.email, "role": member.get_seller_role_display()},
        )
    return redirect("team:team")


@seller_required
@require_http_methods(["GET", "POST"])
def remove(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    """GET asks to confirm; POST removes the colleague and ends their sessions."""
    member = get_object_or_404(selectors.members_of(request.user), pk=user_id)
    _owner_only(request)
    if request.method == "GET":
        return render(request, "team/remove_confirm.html", {"member": member})
    try:
        services.remove_member(actor=request.user, member=member)
    except services.TeamError as refusal:
        messages.error(request, refusal.message)
        return redirect("team:team")
    if member.pk == request.user.pk:
        return redirect("login")  # removed themself: this session ended too
    messages.success(
        request,
        gettext("%(email)s is removed from the team and signed out everywhere.")
        % {"email": member.email},
    )
    return redirect("team:team")


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation's link. GET shows the form and changes nothing (mail scanners open
    links); POST makes the account, signs it in and opens the dashboard."""
    try:
        pending = services.open_invite(token)
    except services.TeamError as refusal:
        return render(
            request, "team/join_refused.html", {"refusal": refusal}, status=refusal.status
        )
    form = JoinForm(User(email=pending.email), request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invite(
                raw_token=token,
                password=form.cleaned_data["new_password1"],
                first_name=form.cleaned_data["first_name"],
            )
        except services.TeamError as refusal:
            return render(
                request, "team/join_refused.html", {"refusal": refusal}, status=refusal.status
            )
        login(request, user, backend="portal.auth.UserBackend")
        messages.success(
            request,
            gettext("Welcome to the team of %(shop)s.") % {"shop": pending.seller.name},
        )
        return redirect("home")
    return render(request, "team/join.html", {"invite": pending, "form": form})

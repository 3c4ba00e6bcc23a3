from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from portal.models import SellerRole, User
from portal.team.models import Invite


def members_of(user: User) -> QuerySet[User]:
    """The signed-in seller user's team: active colleagues, owners first. Nobody else's."""
    if not (user.is_authenticated and user.is_active and user.seller_id):
        return User.objects.none()
    owners_first = Case(
        When(seller_role=SellerRole.OWNER, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return User.objects.filter(seller_id=user.seller_id, is_active=True).order_by(
        owners_first, "email"
    )


def pending_invites(user: User) -> QuerySet[Invite]:
    """The team's invitations still waiting for an answer, for the team page."""
    return (
        Invite.objects.for_user(user)
        .pending(timezone.now())
        .select_related("invited_by")
        .order_by("email")
    )

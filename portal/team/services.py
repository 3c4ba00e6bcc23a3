"""A seller's team: invitations, roles and removals. Owners run it; a seller keeps one owner.

Every change to who is an owner takes the seller's row lock first, so two owners
demoting or removing each other at the same moment take turns, and the second
sees the first's change (`_locked_owners`).
"""

import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from portal.models import Seller, SellerRole, User
from portal.services import end_sessions
from portal.team import emails
from portal.team.models import INVITE_VALID_FOR, Invite


class TeamError(Exception):
    """A team change refused, with a message a person can act on, and an HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def refusal_for(*, seller: Seller | None, email: str) -> str | None:
    """Why `email` cannot be invited to `seller` (None for a new seller), or None if it can.

    One email is one account: an address with an account anywhere is refused, except
    a colleague removed from this very team, whose account the invitation gives back.
    The refusal does not say whose account it is (another shop's or a provider's).
    """
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        return None
    if seller is not None and existing.seller_id == seller.pk:
        if not existing.is_active:
            return None
        return gettext("%(email)s is already on your team.") % {"email": existing.email}
    return gettext(
        "%(email)s already has an account on the portal, with another shop or a logistics "
        "provider, so it cannot join your team: one email address is one account. Ask them "
        "for another address, or ask the portal operator to move the account."
    ) % {"email": email}


@transaction.atomic
def invite_colleague(
    *, seller: Seller, email: str, role: str, invited_by: User | None, language: str
) -> Invite:
    """Invite `email` to the seller's team; an earlier open invitation to it stops working.

    The email (in `language`, the inviter's) goes through the outbox after commit.
    """
    email = User.objects.normalize_email(email.strip())
    if refusal := refusal_for(seller=seller, email=email):
        raise TeamError(refusal)
    now = timezone.now()
    Invite.objects.filter(
        seller=seller, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    raw = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            invite = Invite.objects.create(
                seller=seller,
                email=email,
                role=role,
                invited_by=invited_by,
                token_digest=Invite.digest_of(raw),
                created_at=now,
                expires_at=now + INVITE_VALID_FOR,
            )
    except IntegrityError:  # another owner invited the same address at the same moment
        raise TeamError(
            gettext("An invitation to %(email)s was just sent by someone else.") % {"email": email}
        ) from None
    emails.team_invite(invite, raw_token=raw, language=language)
    return invite


def open_invite(raw_token: str, *, now: datetime | None = None, lock: bool = False) -> Invite:
    """The invitation a link's token opens, or TeamError saying why it opens none."""
    now = now or timezone.now()
    invites = Invite.objects.select_related("seller", "invited_by")
    if lock:
        invites = invites.select_for_update(of=("self",))
    invite: Invite | None = invites.filter(token_digest=Invite.digest_of(raw_token)).first()
    if invite is None:
        raise TeamError(
            gettext(
                "This invitation link is not valid. Copy the whole link from the email, or ask "
                "for a new invitation."
            ),
            status=404,
        )
    if invite.accepted_at is not None:
        raise _used()
    if invite.revoked_at is not None:
        raise TeamError(
            gettext("This invitation was cancelled. Ask the shop's owner for a new one."),
            status=410,
        )
    if invite.expires_at <= now:
        raise TeamError(
            gettext("This invitation has expired. Ask the shop's owner to send a new one."),
            status=410,
        )
    return invite


@transaction.atomic
def accept_invite(*, raw_token: str, password: str, first_name: str = "") -> User:
    """Join the team the link invites to, with a new password (the form validated it).

    1. Lock the invitation and check it is still open (a second use is refused).
    2. Make the account, or give a removed colleague theirs back; any other account
       with that email is refused, and nothing changes.
    3. Mark the invitation used, only if no one else did first (compare-and-set).
    """
    now = timezone.now()
    invite = open_invite(raw_token, now=now, lock=True)
    existing = User.objects.filter(email__iexact=invite.email).first()
    if existing is not None and (existing.seller_id != invite.seller_id or existing.is_active):
        raise _has_account(invite)
    user = existing or User(email=invite.email, seller=invite.seller)
    user.set_password(password)
    user.is_active = True
    user.seller_role = invite.role
    if first_name:
        user.first_name = first_name
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the email got an account since the look-up above
        raise _has_account(invite) from None
    if existing is not None:
        end_sessions(user=user)  # sessions from before the removal stay ended
    used = Invite.objects.filter(
        pk=invite.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(accepted_at=now)
    if not used:
        raise _used()
    return user


def _used() -> TeamError:
    return TeamError(
        gettext("This invitation was already used. Sign in with its email address."), status=410
    )


def _has_account(invite: Invite) -> TeamError:
    return TeamError(
        gettext(
            "%(email)s already has an account on the portal, so this invitation cannot make "
            "another. Sign in with it instead, or ask the portal operator."
        )
        % {"email": invite.email},
        status=409,
    )


def revoke_invite(*, invite: Invite) -> bool:
    """Stop an invitation's link from working; False if it was already used or cancelled."""
    rows = Invite.objects.filter(
        pk=invite.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    return rows == 1


def _locked_owners(*, actor: User) -> set[int]:
    """Take the seller's row lock; the active owners as of now. The actor must be one."""
    refusal = TeamError(gettext("Only an owner of the shop can change the team."), status=403)
    seller_id = actor.seller_id
    if seller_id is None:  # of no shop, so owner of none
        raise refusal
    Seller.objects.select_for_update().filter(pk=seller_id).first()
    owners = set(
        User.objects.filter(
            seller_id=seller_id, seller_role=SellerRole.OWNER, is_active=True
        ).values_list("pk", flat=True)
    )
    if actor.pk not in owners:
        raise refusal
    return owners


def _last_owner_refusal(member: User) -> TeamError:
    return TeamError(
        gettext(
            "%(email)s is the shop's only owner. Make someone else an owner first: a shop "
            "always keeps at least one."
        )
        % {"email": member.email}
    )


def _current(member: User) -> User:
    """The member as of now, inside the lock; a removed one is gone."""
    seller_id = member.seller_id
    current = (
        None  # of no team, so not on this one
        if seller_id is None
        else User.objects.filter(pk=member.pk, seller_id=seller_id, is_active=True).first()
    )
    if current is None:
        raise TeamError(gettext("%(email)s is no longer on the team.") % {"email": member.email})
    return current


@transaction.atomic
def change_role(*, actor: User, member: User, role: str) -> bool:
    """Make a colleague an owner or a member; False if they already were."""
    owners = _locked_owners(actor=actor)
    member = _current(member)
    if member.seller_role == role:
        return False
    if member.pk in owners and role != SellerRole.OWNER and len(owners) == 1:
        raise _last_owner_refusal(member)
    User.objects.filter(pk=member.pk).update(seller_role=role)
    return True


@transaction.atomic
def remove_member(*, actor: User, member: User) -> None:
    """Take a colleague off the team: their account closes and every session ends at once.

    The account stays (their messages and actions keep their name); an owner may
    invite the address again, which gives it back.
    """
    owners = _locked_owners(actor=actor)
    member = _current(member)
    if member.pk in owners and len(owners) == 1:
        raise _last_owner_refusal(member)
    User.objects.filter(pk=member.pk).update(is_active=False, seller_role=SellerRole.MEMBER)
    end_sessions(user=member)

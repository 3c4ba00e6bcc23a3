"""The team's one email: an invitation, written to the outbox in the caller's transaction."""

from django.urls import reverse

from portal.team.models import Invite
from returns import links
from returns.models import Notification
from returns.notice_queue import queue_notification


def team_invite(invite: Invite, *, raw_token: str, language: str) -> Notification:
    """The invitation with its link, in the inviter's language. The raw token is in no row
    but this email's: the outbox keeps the email as sent, as it does every email."""
    return queue_notification(
        kind=Notification.Kind.TEAM_INVITE,
        provider=None,
        seller=invite.seller,
        audience=Notification.Audience.INVITEE,
        language=language,
        to_email=invite.email,
        dedupe_key=f"team_invite:{invite.pk}",
        context={
            "invite": invite,
            "seller": invite.seller,
            "inviter": invite.invited_by,
            "join_url": links.link(reverse("team:join", args=[raw_token]), language),
        },
    )

"""Changes to accounts that are not an app's: ending a user's sessions."""

from django.db.models import F

from portal.models import User


def end_sessions(*, user: User) -> None:
    """Sign the user out of every session they have, on any session backend.

    Each session holds the user's auth hash from when it signed in; raising the
    version changes the hash, and Django's authentication drops a session whose
    hash no longer matches on its next request. A caller keeping its own
    session refreshes it with `update_session_auth_hash` afterwards.
    """
    User.objects.filter(pk=user.pk).update(session_version=F("session_version") + 1)
    user.refresh_from_db(fields=["session_version"])

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

if TYPE_CHECKING:
    from portal.models import User


class UserBackend(ModelBackend):
    """Django's own, except that the user of a session comes with their seller and provider.

    Every request reads them (the language and time zone the user works in,
    the nav's shop name): joined into the user load, they cost no query.
    """

    def get_user(self, user_id: int) -> "User | None":
        User = get_user_model()
        try:
            user = User._default_manager.select_related("seller", "provider").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

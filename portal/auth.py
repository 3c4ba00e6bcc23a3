"""The session's user and their permissions, read with as few queries as staying exact allows."""

from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models import F, Model
from django.db.models.signals import m2m_changed, pre_delete
from django.dispatch import receiver

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    from portal.models import User


class UserBackend(ModelBackend):
    """Django's own, except that the user of a session comes with their seller and provider,
    and their permissions come from this process's memory when they have not changed.

    Every request reads the user's seller and provider (the language and time zone the
    user works in, the nav's shop name): joined into the user load, they cost no query.
    Every console page checks permissions, which Django reads with two queries a request
    (the user's own, their groups'); here they are read once per user and process, under
    the user's `permissions_version`, raised by every change that can alter them (below).
    """

    def get_user(self, user_id: int) -> "User | None":
        User = get_user_model()
        try:
            user = User._default_manager.select_related("seller", "provider").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(
        self, user_obj: "AbstractBaseUser | AnonymousUser", obj: Model | None = None
    ) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        kept: set[str] | None = getattr(user_obj, "_perm_cache", None)
        if kept is None:  # the first check of this request
            user = cast("User", user_obj)
            kept = set(permissions_of(user.pk, user.permissions_version, user.is_superuser))
            user._perm_cache = kept  # type: ignore[attr-defined]  # where Django keeps them
        return kept


@lru_cache(maxsize=4096)
def permissions_of(user_id: int, version: int, is_superuser: bool) -> frozenset[str]:
    """The user's permissions ("app_label.codename") as Django reads them, at this version."""
    user = get_user_model()(pk=user_id, is_superuser=is_superuser, is_active=True)
    return frozenset(ModelBackend().get_all_permissions(user))


def _raise_versions(users: Any) -> None:
    users.update(permissions_version=F("permissions_version") + 1)


# Every way Django changes whose permissions are whose. (A migration's writes go through
# historical models and send none of these; a deploy restarts the processes anyway.)


@receiver(m2m_changed, sender=get_user_model().groups.through)
@receiver(m2m_changed, sender=get_user_model().user_permissions.through)
def _user_links_changed(
    sender: type[Model], instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    if not action.startswith("post_") and action != "pre_clear":
        return
    User = get_user_model()
    if not reverse:  # user.groups.add(…), user.user_permissions.set(…)
        _raise_versions(User.objects.filter(pk=instance.pk))
    elif action == "pre_clear":  # group.user_set.clear(): who they are is gone after it
        field = "groups" if isinstance(instance, Group) else "user_permissions"
        _raise_versions(User.objects.filter(**{field: instance}))
    elif pk_set:  # group.user_set.add(…), permission.user_set.remove(…)
        _raise_versions(User.objects.filter(pk__in=pk_set))


@receiver(m2m_changed, sender=Group.permissions.through)
def _group_permissions_changed(
    sender: type[Model], instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    if not action.startswith("post_") and action != "pre_clear":
        return
    User = get_user_model()
    if not reverse:  # group.permissions.set(…)
        _raise_versions(User.objects.filter(groups=instance))
    elif action == "pre_clear":  # permission.group_set.clear()
        _raise_versions(User.objects.filter(groups__permissions=instance))
    elif pk_set:  # permission.group_set.add(…)
        _raise_versions(User.objects.filter(groups__in=pk_set))


@receiver(pre_delete, sender=Group)
def _group_deleted(sender: type[Model], instance: Group, **kwargs: Any) -> None:
    _raise_versions(get_user_model().objects.filter(groups=instance))


@receiver(pre_delete, sender=Permission)
def _permission_deleted(sender: type[Model], instance: Permission, **kwargs: Any) -> None:
    User = get_user_model()
    _raise_versions(User.objects.filter(user_permissions=instance))
    _raise_versions(User.objects.filter(groups__permissions=instance))

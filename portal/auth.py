"""The session's user and their permissions, read with as few queries as staying exact allows."""

from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_save, pre_delete
from django.dispatch import receiver

from portal.models import new_permissions_version

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
    the user's `permissions_version`, which every change that can alter them sets anew
    (below)."""

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


def _new_versions(users: Any) -> None:
    users.update(permissions_version=new_permissions_version())


def _lock(groups: Any) -> None:
    """Lock the groups a change is about, in one order, until its transaction ends.

    Two changes at once, a group's permissions and its members (a member added while a
    permission is taken away), would each renew the versions of the members it can see:
    the member joining is not one yet, and a request between the two commits would keep
    the permission under its new version. Locked, the second change waits for the first
    and sees its rows. (Django runs each change and its signals in one transaction.)
    """
    list(Group.objects.select_for_update().filter(pk__in=groups).order_by("pk").values("pk"))


# Every way Django changes whose permissions are whose. (A migration's writes go through
# historical models and send none of these, nor do bulk writes to the link tables or raw
# SQL; a deploy restarts the processes anyway.)


@receiver(m2m_changed, sender=get_user_model().groups.through)
def _memberships_changed(
    sender: type[Model], instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    User = get_user_model()
    if action.startswith("pre_"):
        if reverse:  # group.user_set.add(…)
            _lock([instance.pk])
        elif pk_set is not None:  # user.groups.add(…)
            _lock(pk_set)
        else:  # user.groups.clear()
            _lock(Group.objects.filter(user=instance).values("pk"))
        if action == "pre_clear" and reverse:  # who they are is gone after it
            _new_versions(User.objects.filter(groups=instance))
    elif not reverse:
        _new_versions(User.objects.filter(pk=instance.pk))
    elif pk_set:
        _new_versions(User.objects.filter(pk__in=pk_set))


@receiver(m2m_changed, sender=get_user_model().user_permissions.through)
def _user_permissions_changed(
    sender: type[Model], instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    User = get_user_model()
    if action == "pre_clear" and reverse:  # permission.user_set.clear()
        _new_versions(User.objects.filter(user_permissions=instance))
    elif not action.startswith("post_"):
        return
    elif not reverse:  # user.user_permissions.set(…)
        _new_versions(User.objects.filter(pk=instance.pk))
    elif pk_set:  # permission.user_set.add(…)
        _new_versions(User.objects.filter(pk__in=pk_set))


@receiver(m2m_changed, sender=Group.permissions.through)
def _group_permissions_changed(
    sender: type[Model], instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    User = get_user_model()
    if action.startswith("pre_"):
        if not reverse:  # group.permissions.add(…)
            _lock([instance.pk])
        elif pk_set is not None:  # permission.group_set.add(…)
            _lock(pk_set)
        else:  # permission.group_set.clear()
            _lock(Group.objects.filter(permissions=instance).values("pk"))
            _new_versions(User.objects.filter(groups__permissions=instance))
    elif not reverse:
        _new_versions(User.objects.filter(groups=instance))
    elif pk_set:
        _new_versions(User.objects.filter(groups__in=pk_set))


@receiver(pre_delete, sender=Group)
def _group_deleted(sender: type[Model], instance: Group, **kwargs: Any) -> None:
    _lock([instance.pk])
    _new_versions(get_user_model().objects.filter(groups=instance))


@receiver(pre_delete, sender=Permission)
@receiver(post_save, sender=Permission)
def _permission_changed(
    sender: type[Model], instance: Permission, created: bool = False, **kwargs: Any
) -> None:
    if created:
        return  # nobody has it yet
    # Deleted, or renamed (its codename or content type is what a user's set holds). The
    # permission's row locked first: a group given it meanwhile waits, and is seen. (A save
    # sends post_save outside a transaction of its own.)
    with transaction.atomic():
        list(Permission.objects.select_for_update().filter(pk=instance.pk).values("pk"))
        _lock(Group.objects.filter(permissions=instance).values("pk"))
        User = get_user_model()
        _new_versions(User.objects.filter(user_permissions=instance))
        _new_versions(User.objects.filter(groups__permissions=instance))

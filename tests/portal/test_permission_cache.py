"""A user's permissions are read once per process and version (portal.auth), and every
change Django makes to whose permissions are whose raises the version."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.auth import UserBackend
from portal.models import User
from tests.factories import PackageFactory, UserFactory

VIEW = "returns.view_failedpackage"
PACKAGES = "/admin/returns/failedpackage/"


def perms(user: User) -> set[str]:
    """What a request of this user finds, read afresh as the session loads it."""
    return UserBackend().get_all_permissions(User.objects.get(pk=user.pk))


@pytest.fixture
def viewers(db) -> Group:
    group = Group.objects.create(name="viewers")
    group.permissions.add(Permission.objects.get(codename="view_failedpackage"))
    return group


@pytest.fixture
def agent(db, provider_x) -> User:
    return UserFactory(email="agent@swiftlane.example", provider=provider_x, is_staff=True)


def test_a_console_page_reads_no_permissions_once_they_are_kept(
    client_for, xavier, provider_x, seller_a
):
    PackageFactory(provider=provider_x, seller=seller_a)
    client = client_for(xavier)
    client.get(PACKAGES)

    with CaptureQueriesContext(connection) as captured:
        assert client.get(PACKAGES).status_code == 200

    assert not [q for q in captured if "auth_permission" in q["sql"]]


@pytest.mark.parametrize(
    "change",
    [
        lambda user, group, permission: user.groups.add(group),
        lambda user, group, permission: group.user_set.add(user),
        lambda user, group, permission: user.user_permissions.add(permission),
        lambda user, group, permission: permission.user_set.add(user),
    ],
    ids=["user.groups.add", "group.user_set.add", "user_permissions.add", "permission.user_set"],
)
def test_a_permission_given_counts_on_the_next_request(agent, viewers, change):
    assert VIEW not in perms(agent)  # kept now, under the version it had

    change(agent, viewers, Permission.objects.get(codename="view_failedpackage"))

    assert VIEW in perms(agent)


@pytest.mark.parametrize(
    "change",
    [
        lambda user, group: user.groups.remove(group),
        lambda user, group: user.groups.clear(),
        lambda user, group: group.user_set.remove(user),
        lambda user, group: group.user_set.clear(),
        lambda user, group: group.permissions.clear(),
        lambda user, group: group.permissions.set([]),
        lambda user, group: Permission.objects.get(codename="view_failedpackage").group_set.clear(),
        lambda user, group: Permission.objects.get(codename="view_failedpackage").group_set.remove(
            group
        ),
        lambda user, group: group.delete(),
        lambda user, group: Permission.objects.get(codename="view_failedpackage").delete(),
    ],
    ids=[
        "user.groups.remove",
        "user.groups.clear",
        "group.user_set.remove",
        "group.user_set.clear",
        "group.permissions.clear",
        "group.permissions.set",
        "permission.group_set.clear",
        "permission.group_set.remove",
        "group.delete",
        "permission.delete",
    ],
)
def test_a_permission_taken_away_counts_on_the_next_request(agent, viewers, change):
    agent.groups.add(viewers)
    assert VIEW in perms(agent)

    change(agent, viewers)

    assert VIEW not in perms(agent)


def test_a_permission_given_to_a_group_counts_for_its_members(agent, viewers):
    agent.groups.add(viewers)
    assert "returns.change_failedpackage" not in perms(agent)

    viewers.permissions.add(Permission.objects.get(codename="change_failedpackage"))

    assert "returns.change_failedpackage" in perms(agent)


def test_a_copy_read_before_a_change_does_not_bring_the_old_permissions_back(agent, viewers):
    stale = User.objects.get(pk=agent.pk)
    assert VIEW not in perms(agent)  # kept under the version the copy holds
    agent.groups.add(viewers)
    assert VIEW in perms(agent)

    stale.first_name = "Renamed"
    stale.save()  # a full save of the copy read before the group was given

    assert VIEW in perms(agent)
    assert User.objects.get(pk=agent.pk).first_name == "Renamed"


def test_an_operator_has_every_permission_and_an_inactive_user_none(agent, viewers):
    agent.groups.add(viewers)
    assert "returns.delete_failedpackage" not in perms(agent)

    User.objects.filter(pk=agent.pk).update(is_superuser=True)
    assert "returns.delete_failedpackage" in perms(agent)

    User.objects.filter(pk=agent.pk).update(is_active=False)
    assert perms(agent) == set()

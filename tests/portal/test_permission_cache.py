"""A user's permissions are read once per process and version (portal.auth), and every
change Django makes to whose permissions are whose raises the version."""

import threading

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction
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


def test_a_version_a_rolled_back_change_used_is_not_used_again(agent, viewers):
    with pytest.raises(RuntimeError), transaction.atomic():
        agent.groups.add(viewers)
        assert VIEW in perms(agent)  # kept under the version the rolled-back change wrote
        raise RuntimeError

    agent.user_permissions.add(Permission.objects.get(codename="view_ticket"))

    assert perms(agent) == {"tickets.view_ticket"}


def test_a_renamed_permission_counts_under_its_new_name(agent, viewers):
    agent.groups.add(viewers)
    assert VIEW in perms(agent)

    permission = Permission.objects.get(codename="view_failedpackage")
    permission.codename = "see_failedpackage"
    permission.save()

    assert "returns.see_failedpackage" in perms(agent)
    assert VIEW not in perms(agent)


def test_saving_a_user_read_with_some_fields_writes_only_those(agent, django_assert_num_queries):
    partial = User.objects.only("first_name").get(pk=agent.pk)
    partial.first_name = "Partial"

    with django_assert_num_queries(1):
        partial.save()

    assert User.objects.get(pk=agent.pk).first_name == "Partial"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_member_joining_while_the_group_loses_a_permission_does_not_keep_it(provider_x):
    viewers = Group.objects.create(name="viewers")
    permission = Permission.objects.get(codename="view_failedpackage")
    viewers.permissions.add(permission)
    agent = UserFactory(email="agent@swiftlane.example", provider=provider_x, is_staff=True)
    joined = threading.Thread(target=lambda: (agent.groups.add(viewers), connection.close()))

    with transaction.atomic():
        viewers.permissions.remove(permission)  # not committed yet
        joined.start()
        joined.join(timeout=1)  # waits on the group's lock until this commits
        # A request of the agent meanwhile, in its own connection, keeps what it reads.
        request = threading.Thread(target=lambda: (perms(agent), connection.close()))
        request.start()
        request.join()
    joined.join()

    assert VIEW not in perms(agent)

"""Standing instructions: the settings page where an owner sets the rule and sees its changes."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from portal.models import SellerRole
from returns import instructions
from returns.models import StandingInstruction
from tests.factories import UserFactory
from tests.returns.instructions_helpers import Rule, set_rule

pytestmark = pytest.mark.django_db


# --- the settings page ------------------------------------------------------------------


@pytest.fixture
def owner(seller_a):
    return UserFactory(email="olive@shop-a.example", seller=seller_a, seller_role=SellerRole.OWNER)


def test_the_page_shows_the_rule_and_its_changes(client_for, owner, django_assert_num_queries):
    set_rule(owner.seller, Rule.LET_GO)
    client = client_for(owner)
    client.get(reverse("returns:standing_instruction"))  # the session's first read

    # The session and its user, the rule, the default address, the changes, the unread count.
    with django_assert_num_queries(6):
        response = client.get(reverse("returns:standing_instruction"))

    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'value="let_go"[^>]*checked', page)
    assert "Always let it go" in page
    assert "no default return address saved" in page


def test_saving_a_rule_records_who_changed_it(client_for, owner):
    response = client_for(owner).post(
        reverse("returns:standing_instruction"),
        {"rule": "send_back_above", "min_value": "1500", "currency": "thb"},
    )

    assert response.status_code == 302
    rule = instructions.current_instruction(owner.seller_id)
    assert (rule.rule, rule.min_value, rule.currency, rule.set_by) == (
        "send_back_above",
        Decimal("1500.00"),
        "THB",
        owner,
    )
    page = client_for(owner).get(reverse("returns:standing_instruction")).content.decode()
    assert "olive@shop-a.example" in page and "1500.00 THB" in page


def test_a_threshold_without_value_or_currency_is_refused_and_changes_nothing(client_for, owner):
    response = client_for(owner).post(
        reverse("returns:standing_instruction"), {"rule": "send_back_above", "min_value": ""}
    )

    assert response.status_code == 400
    assert "Give the declared value to compare with." in response.content.decode()
    assert not StandingInstruction.objects.exists()


def test_saving_the_same_rule_records_nothing(client_for, owner):
    set_rule(owner.seller, Rule.LET_GO)

    client_for(owner).post(reverse("returns:standing_instruction"), {"rule": "let_go"})

    assert StandingInstruction.objects.count() == 1


def test_members_cannot_change_the_rule(client_for, alice):
    alice.seller_role = SellerRole.MEMBER  # a seller's user is an owner unless told
    alice.save(update_fields=["seller_role"])

    response = client_for(alice).post(reverse("returns:standing_instruction"), {"rule": "let_go"})

    assert response.status_code == 403
    assert not StandingInstruction.objects.exists()


def test_another_sellers_changes_are_never_shown(client_for, owner, seller_b):
    set_rule(seller_b, Rule.LET_GO)
    other_owner = UserFactory(
        email="bert@shop-b.example", seller=seller_b, seller_role=SellerRole.OWNER
    )
    instructions.set_instruction(
        seller_id=seller_b.pk, rule=Rule.SEND_BACK, min_value=None, currency="", by=other_owner
    )

    page = client_for(owner).get(reverse("returns:standing_instruction")).content.decode()

    assert "bert@shop-b.example" not in page
    assert "No changes yet" in page
    assert re.search(r'value="ask"[^>]*checked', page)

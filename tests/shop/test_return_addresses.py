"""Saved return addresses: one default, filled in on the send-back ticket, editable there."""

from django.urls import reverse

from portal.models import ReturnAddress, SettingsChange
from tests.builders import awaiting_package
from tickets.models import Ticket

MAIN = {
    "label": "Main warehouse",
    "contact_name": "Somchai P.",
    "phone": "+66 81 234 5678",
    "address": "99 Rama IV Road\nBangkok 10110",
}
BRANCH = {**MAIN, "label": "Branch", "contact_name": "Nok", "address": "5 Sukhumvit Soi 11"}


def save(client, values: dict, address: ReturnAddress | None = None):
    if address is None:
        return client.post(reverse("settings:new_return_address"), values)
    return client.post(reverse("settings:edit_return_address", args=[address.pk]), values)


def test_the_first_address_is_the_default_and_a_new_default_takes_it_over(client_for, olivia):
    owner = client_for(olivia)
    save(owner, MAIN)
    save(owner, {**BRANCH, "is_default": "on"})

    defaults = ReturnAddress.objects.filter(is_default=True).values_list("label", flat=True)
    assert list(defaults) == ["Branch"]
    assert list(SettingsChange.objects.values_list("action", flat=True)) == [
        "return_address_added",
        "return_address_added",
    ]


def test_an_edit_records_what_changed(client_for, olivia):
    owner = client_for(olivia)
    save(owner, MAIN)
    address = ReturnAddress.objects.get()

    save(owner, {**MAIN, "phone": "+66 2 000 0000", "is_default": "on"}, address)

    address.refresh_from_db()
    assert address.phone == "+66 2 000 0000"
    assert SettingsChange.objects.first().changes == {
        "phone": ["+66 81 234 5678", "+66 2 000 0000"]
    }


def test_a_name_used_twice_is_refused(client_for, olivia):
    owner = client_for(olivia)
    save(owner, MAIN)

    response = save(owner, MAIN)

    assert response.status_code == 200
    assert "Another saved address has this name" in response.content.decode()
    assert ReturnAddress.objects.count() == 1


def test_deleting_the_default_makes_the_other_one_the_default(client_for, olivia):
    owner = client_for(olivia)
    save(owner, MAIN)
    save(owner, BRANCH)
    main = ReturnAddress.objects.get(label="Main warehouse")

    owner.post(reverse("settings:delete_return_address", args=[main.pk]))

    assert ReturnAddress.objects.get().is_default is True


def test_another_sellers_return_address_is_a_404(client_for, olivia, oscar):
    save(client_for(oscar), MAIN)
    theirs = ReturnAddress.objects.get()
    client = client_for(olivia)

    assert client.get(reverse("settings:edit_return_address", args=[theirs.pk])).status_code == 404
    for name in ("edit_return_address", "delete_return_address", "default_return_address"):
        response = client.post(reverse(f"settings:{name}", args=[theirs.pk]), BRANCH)
        assert response.status_code == 404
    assert ReturnAddress.objects.get().label == "Main warehouse"


def test_the_send_back_form_starts_with_the_default_address(
    client_for, olivia, alice, seller_a, provider_x
):
    save(client_for(olivia), MAIN)
    save(client_for(olivia), BRANCH)
    package = awaiting_package(seller_a, provider_x)

    page = client_for(alice).get(reverse("tickets:new"), {"package": package.public_id})

    form = page.context["form"]
    assert form.initial["delivery_address"] == "Somchai P.\n99 Rama IV Road\nBangkok 10110"
    assert form.initial["contact_phone"] == "+66 81 234 5678"
    assert "Fill in a saved address:" in page.content.decode()


def test_the_seller_chooses_another_saved_address_and_edits_it_for_this_ticket(
    client_for, olivia, alice, seller_a, provider_x
):
    save(client_for(olivia), MAIN)
    save(client_for(olivia), BRANCH)
    branch = ReturnAddress.objects.get(label="Branch")
    package = awaiting_package(seller_a, provider_x)
    client = client_for(alice)

    page = client.get(
        reverse("tickets:new"),
        {"package": package.public_id, "category": "send_back", "address": branch.pk},
    )
    assert page.context["form"].initial["delivery_address"] == "Nok\n5 Sukhumvit Soi 11"

    client.post(
        reverse("tickets:new"),
        {
            "category": "send_back",
            "package": package.public_id,
            "delivery_address": "Nok\n5 Sukhumvit Soi 11, back door",
            "contact_phone": "+66 81 234 5678",
        },
    )

    ticket = Ticket.objects.get()
    assert ticket.delivery_address == "Nok\n5 Sukhumvit Soi 11, back door"
    assert ReturnAddress.objects.get(label="Branch").address == "5 Sukhumvit Soi 11"


def test_another_sellers_saved_address_is_never_filled_in(
    client_for, oscar, alice, seller_a, provider_x
):
    save(client_for(oscar), MAIN)
    theirs = ReturnAddress.objects.get()
    package = awaiting_package(seller_a, provider_x)

    page = client_for(alice).get(
        reverse("tickets:new"),
        {"package": package.public_id, "category": "send_back", "address": theirs.pk},
    )

    assert "delivery_address" not in page.context["form"].initial
    assert "Rama IV" not in page.content.decode()


def test_the_address_pages_read_a_fixed_number_of_rows(
    client_for, olivia, django_assert_num_queries
):
    client = client_for(olivia)
    save(client, MAIN)
    address = ReturnAddress.objects.get()

    # Session, user, the nav's unread count, and the address (with its shop) when there is one.
    with django_assert_num_queries(3):
        assert client.get(reverse("settings:new_return_address")).status_code == 200
    with django_assert_num_queries(4):
        assert (
            client.get(reverse("settings:edit_return_address", args=[address.pk])).status_code
            == 200
        )
    with django_assert_num_queries(4):
        url = reverse("settings:delete_return_address", args=[address.pk])
        assert client.get(url).status_code == 200


def test_the_provider_sees_the_saved_address_on_the_ticket_beside_its_package(
    client_for, olivia, alice, xavier, seller_a, provider_x
):
    save(client_for(olivia), MAIN)
    package = awaiting_package(seller_a, provider_x)
    seller = client_for(alice)
    form = seller.get(reverse("tickets:new"), {"package": package.public_id}).context["form"]
    seller.post(
        reverse("tickets:new"),
        {"category": "send_back", "package": package.public_id, **form.initial},
    )
    ticket = Ticket.objects.get()

    page = client_for(xavier).get(reverse("admin:tickets_ticket_change", args=[ticket.pk]))

    text = page.content.decode()
    assert "99 Rama IV Road" in text and "+66 81 234 5678" in text
    assert package.tracking_number in text

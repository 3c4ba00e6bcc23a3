"""The settings page: owners change the profile and email preferences; every change is recorded."""

from django.urls import reverse

from portal.demo import seed_accounts
from portal.models import SettingsChange, User


def test_an_owner_sees_the_settings_with_the_shop_code_read_only(client_for, olivia, seller_a):
    response = client_for(olivia).get(reverse("settings:index"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "SHOP-A" in page
    assert 'name="shop_code"' not in page
    assert '<datalist id="time-zones">' in page and 'value="Asia/Bangkok"' in page
    assert seller_a.contact_email in page


def test_a_member_is_refused_and_told_who_the_owners_are(client_for, member, olivia, seller_a):
    client = client_for(member)

    page = client.get(reverse("settings:index"))
    post = client.post(
        reverse("settings:profile"),
        {"name": "Taken over", "time_zone": "UTC", "language": "en"},
    )

    assert page.status_code == 403 and post.status_code == 403
    assert "olivia@shop-a.example" in page.content.decode()
    seller_a.refresh_from_db()
    assert seller_a.name == "Shop A"
    assert not SettingsChange.objects.exists()


def test_provider_staff_are_refused(client_for, xavier):
    assert client_for(xavier).get(reverse("settings:index")).status_code == 403


def test_the_profile_change_is_saved_and_recorded_with_before_and_after(
    client_for, olivia, seller_a
):
    client = client_for(olivia)

    response = client.post(
        reverse("settings:profile"),
        {"name": "Shop A Outlet", "time_zone": "Asia/Jakarta", "language": "th"},
    )

    assert response.status_code == 302
    seller_a.refresh_from_db()
    assert (seller_a.name, seller_a.time_zone, seller_a.language) == (
        "Shop A Outlet",
        "Asia/Jakarta",
        "th",
    )
    change = SettingsChange.objects.get()
    assert change.actor == olivia
    assert change.changes == {
        "name": ["Shop A", "Shop A Outlet"],
        "time_zone": ["Asia/Bangkok", "Asia/Jakarta"],
        "language": ["en", "th"],
    }
    page = client.get(reverse("settings:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Asia/Bangkok → Asia/Jakarta" in page
    assert "olivia@shop-a.example" in page


def test_an_unknown_time_zone_is_refused_and_changes_nothing(client_for, olivia, seller_a):
    response = client_for(olivia).post(
        reverse("settings:profile"),
        {"name": "Shop A", "time_zone": "Mars/Olympus", "language": "en"},
    )

    assert response.status_code == 400
    assert "is not a time zone name" in response.content.decode()
    seller_a.refresh_from_db()
    assert seller_a.time_zone == "Asia/Bangkok"
    assert not SettingsChange.objects.exists()


def test_saving_without_a_change_records_nothing(client_for, olivia, seller_a):
    client_for(olivia).post(
        reverse("settings:profile"),
        {"name": "Shop A", "time_zone": "Asia/Bangkok", "language": "en"},
    )

    assert not SettingsChange.objects.exists()


def test_email_preferences_turn_off_reminders_only(client_for, olivia, seller_a):
    client_for(olivia).post(reverse("settings:emails"), {"ticket_reply_emails": "on"})

    seller_a.refresh_from_db()
    assert seller_a.reminder_emails is False
    assert seller_a.ticket_reply_emails is True
    assert SettingsChange.objects.get().changes == {"reminder_emails": [True, False]}


def test_another_sellers_history_is_not_shown(client_for, olivia, oscar):
    client_for(oscar).post(reverse("settings:emails"), {})

    page = client_for(olivia).get(reverse("settings:index")).content.decode()

    assert "oscar@shop-b.example" not in page
    assert "No changes yet." in page


def test_the_settings_page_reads_a_fixed_number_of_rows(
    client_for, olivia, seller_a, django_assert_num_queries
):
    client = client_for(olivia)
    for n in range(3):
        client.post(reverse("settings:add_address"), {"email": f"team{n}@shop-a.example"})
        client.post(
            reverse("settings:new_return_address"),
            {"label": f"Store {n}", "contact_name": "Ann", "phone": "+66 2 1", "address": "1 Road"},
        )

    # Session, user, the unread count in the nav, the notification addresses, the return
    # addresses and the history with who made each change: whatever their number.
    with django_assert_num_queries(6):
        response = client.get(reverse("settings:index"))

    assert response.status_code == 200


def test_the_refusal_page_reads_a_fixed_number_of_rows(
    client_for, member, olivia, django_assert_num_queries
):
    client = client_for(member)

    with django_assert_num_queries(4):  # session, user, the nav's unread count, the owners
        response = client.get(reverse("settings:index"))

    assert response.status_code == 403


def test_each_demo_shops_login_owns_it_and_opens_the_settings(db, settings, client_for):
    settings.DEBUG = True
    seed_accounts("demo-password")

    seller = User.objects.get(email="seller@siamgadgets.example")

    assert seller.is_seller_owner
    assert client_for(seller).get(reverse("settings:index")).status_code == 200

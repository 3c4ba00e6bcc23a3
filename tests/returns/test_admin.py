"""The operators' admin: packages read through services, a trail nobody edits, outbox, tokens."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from returns import delivery, tokens
from returns.admin import FailedPackageAdmin
from returns.models import ApiToken, EventAction, FailedPackage, Notification, PackageEvent
from tests.factories import AttemptFactory, PackageFactory
from tests.helpers import messages_on

PACKAGES = "/admin/returns/failedpackage/"
IMPORT = "/admin/returns/failedpackage/import/"


@pytest.fixture
def admin_client(client_for, operator):
    return client_for(operator)


@pytest.fixture
def package(provider_x, seller_a):
    package = delivery.register_package(
        provider=provider_x,
        seller=seller_a,
        details=delivery.PackageDetails(tracking_number="TRK-1", order_id="ORD-1"),
        channel="api",
    )
    delivery.record_failed_attempt(
        package=package,
        attempted_at=timezone.now() - timedelta(hours=2),
        failure_reason="Gate locked",
        channel="api",
    )
    return package


# --- packages -------------------------------------------------------------------------


def test_the_package_list_shows_tracking_seller_provider_and_status(admin_client, package):
    response = admin_client.get(PACKAGES, {"q": "TRK-1"})

    assert response.status_code == 200
    text = response.content.decode()
    for shown in ("TRK-1", "Shop A (SHOP-A)", "SwiftLane", "In delivery"):
        assert shown in text


def test_the_package_page_shows_attempts_and_events_but_no_status_to_edit(admin_client, package):
    response = admin_client.get(f"{PACKAGES}{package.pk}/change/")

    assert response.status_code == 200
    text = response.content.decode()
    assert "Gate locked" in text
    assert "attempt_failed" in text
    assert 'name="status"' not in text
    assert 'name="claim_deadline"' not in text
    assert 'name="warehouse_location"' in text


def test_saving_the_package_form_changes_its_contents_never_its_status(admin_client, package):
    response = admin_client.post(
        f"{PACKAGES}{package.pk}/change/",
        {
            "description": "Two speakers",
            "warehouse_location": "C-01-1",
            "currency": "",
            "status": "destroyed",
            "attempts-TOTAL_FORMS": "1",
            "attempts-INITIAL_FORMS": "1",
            "events-TOTAL_FORMS": "2",
            "events-INITIAL_FORMS": "2",
        },
    )

    assert response.status_code == 302
    package.refresh_from_db()
    assert package.warehouse_location == "C-01-1"
    assert package.status == "in_delivery"
    edited = package.events.get(action=EventAction.DETAILS_EDITED)
    assert (edited.from_status, edited.to_status, edited.channel) == (
        "in_delivery",
        "in_delivery",
        "admin",
    )
    assert edited.facts["after"]["warehouse_location"] == "C-01-1"
    assert "description" in edited.facts["changed"]
    assert "warehouse location" in edited.description()


def test_saving_the_package_form_unchanged_records_nothing(admin_client, package):
    admin_client.post(
        f"{PACKAGES}{package.pk}/change/",
        {
            "description": package.description,
            "warehouse_location": package.warehouse_location,
            "currency": package.currency,
            "attempts-TOTAL_FORMS": "0",
            "attempts-INITIAL_FORMS": "0",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )

    assert not package.events.filter(action=EventAction.DETAILS_EDITED).exists()


def test_saving_the_package_form_never_writes_back_a_status_changed_meanwhile(
    admin_client, package, monkeypatch
):
    loaded_before = FailedPackage.objects.get(pk=package.pk)
    delivery.record_seller_rejection(package=package, rejected_at=timezone.now(), channel="api")
    monkeypatch.setattr(FailedPackageAdmin, "get_object", lambda *args, **kw: loaded_before)

    admin_client.post(
        f"{PACKAGES}{package.pk}/change/",
        {
            "warehouse_location": "C-01-1",
            "attempts-TOTAL_FORMS": "0",
            "attempts-INITIAL_FORMS": "0",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )

    package.refresh_from_db()
    assert package.warehouse_location == "C-01-1"
    assert package.status == "destruction_pending"


def test_packages_are_neither_added_nor_deleted_in_the_admin(admin_client, package):
    assert admin_client.get(f"{PACKAGES}add/").status_code == 403
    assert admin_client.post(f"{PACKAGES}{package.pk}/delete/", {"post": "yes"}).status_code == 403
    assert FailedPackage.objects.filter(pk=package.pk).exists()


# --- the audit trail ------------------------------------------------------------------


def test_events_cannot_be_added_changed_or_deleted_even_by_an_operator(admin_client, package):
    event = package.events.first()
    url = f"/admin/returns/packageevent/{event.pk}/"

    page = admin_client.get(f"{url}change/")
    changed = admin_client.post(f"{url}change/", {"detail": "edited", "action": "edited"})
    deleted = admin_client.post(f"{url}delete/", {"post": "yes"})
    added = admin_client.get("/admin/returns/packageevent/add/")

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert (changed.status_code, deleted.status_code, added.status_code) == (403, 403, 403)
    event.refresh_from_db()
    assert event.action == "registered"
    assert PackageEvent.objects.count() == 2


def test_delivery_attempts_are_read_only(admin_client, package):
    attempt = AttemptFactory(package=PackageFactory(), number=1)
    url = f"/admin/returns/deliveryattempt/{attempt.pk}/"

    assert admin_client.post(f"{url}change/", {"failure_reason": "x"}).status_code == 403
    assert admin_client.post(f"{url}delete/", {"post": "yes"}).status_code == 403


# --- the outbox -----------------------------------------------------------------------


def notification(package, kind: str, status: str) -> Notification:
    return Notification.objects.create(
        audience="seller",
        seller=package.seller,
        provider=package.provider,
        package=package,
        kind=kind,
        to_email=package.seller.contact_email,
        subject="Subject",
        body_text="Text",
        body_html="<p>HTML</p>",
        dedupe_key=f"{kind}:{package.pk}",
        status=status,
        attempts=5 if status == "failed" else 1,
        last_error="SMTPServerDisconnected" if status == "failed" else "",
        sent_at=timezone.now() if status == "sent" else None,
    )


def test_retry_requeues_the_failed_notifications_and_skips_the_others(admin_client, package):
    failed = notification(package, "destruction_notice", "failed")
    sent = notification(package, "returned", "sent")
    pending = notification(package, "destroyed", "pending")

    response = admin_client.post(
        "/admin/returns/notification/",
        {"action": "retry", "_selected_action": [failed.pk, sent.pk, pending.pk]},
        follow=True,
    )

    assert messages_on(response) == [
        "1 re-queued for sending. 2 skipped: only failed notifications are sent again."
    ]
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == ("pending", 0, "")
    sent.refresh_from_db()
    assert sent.status == "sent"


def test_a_notification_page_is_read_only(admin_client, package):
    failed = notification(package, "destruction_notice", "failed")

    response = admin_client.post(
        f"/admin/returns/notification/{failed.pk}/change/", {"status": "sent"}
    )

    assert response.status_code == 403
    failed.refresh_from_db()
    assert failed.status == "failed"


# --- API tokens -----------------------------------------------------------------------


def test_adding_a_token_shows_it_once_and_keeps_only_its_digest(
    admin_client, client, provider_x, seller_a
):
    response = admin_client.post(
        "/admin/returns/apitoken/add/", {"provider": provider_x.pk, "name": "feed"}
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = re.search(r'<code id="new-token">(\S+)</code>', response.content.decode()).group(1)
    assert "shown only this once" in response.content.decode()
    assert messages_on(response) == []  # never in a message, which may sit in a cookie
    token = ApiToken.objects.get()
    assert token.digest == ApiToken.digest_of(raw)
    assert token.prefix == raw[:8]
    again = admin_client.get(f"/admin/returns/apitoken/{token.pk}/change/")
    assert raw not in again.content.decode()
    assert raw not in admin_client.get("/admin/returns/apitoken/").content.decode()
    answer = client.get("/api/v1/packages/TRK-1", headers={"Authorization": f"Bearer {raw}"})
    assert answer.status_code == 404  # authenticated: the package simply does not exist


def test_revoking_a_token_makes_the_api_refuse_it(admin_client, client, provider_x):
    token, raw = tokens.create_api_token(provider=provider_x, name="feed")
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/packages/TRK-1", headers=headers).status_code == 404

    response = admin_client.post(
        "/admin/returns/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )

    assert messages_on(response) == ["1 revoked; they no longer work."]
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/packages/TRK-1", headers=headers).status_code == 401


def test_a_token_page_is_read_only(admin_client, provider_x):
    token, _ = tokens.create_api_token(provider=provider_x, name="feed")

    response = admin_client.post(f"/admin/returns/apitoken/{token.pk}/change/", {"name": "renamed"})

    assert response.status_code == 403
    assert admin_client.post(f"/admin/returns/apitoken/{token.pk}/delete/").status_code == 403


# --- the CSV upload -------------------------------------------------------------------


def csv_upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("packages.csv", text.encode(), content_type="text/csv")


def test_the_package_list_links_to_the_csv_upload(admin_client, db):
    assert f'href="{IMPORT}"' in admin_client.get(PACKAGES).content.decode()


def test_an_operator_imports_a_csv_file_and_sees_the_report(
    admin_client, operator, provider_x, provider_y, seller_a
):
    page = admin_client.get(IMPORT)
    assert "attempt_1_at" in page.content.decode()
    upload = csv_upload(
        "tracking_number,shop_code,order_id\nTRK-1,SHOP-A,ORD-1\nTRK-2,SHOP-Z,ORD-2\n"
    )

    response = admin_client.post(IMPORT, {"provider": provider_y.pk, "file": upload})

    assert response.status_code == 200
    text = response.content.decode()
    assert "1 imported, 0 already registered, 1 with errors" in text
    assert "no seller has the shop code SHOP-Z" in text
    package = FailedPackage.objects.get()
    assert package.provider == provider_y
    [event] = package.events.all()
    assert (event.channel, event.actor) == ("csv", operator)


def test_the_upload_page_asks_for_a_provider_and_a_file(admin_client, db):
    response = admin_client.post(IMPORT, {})

    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"provider", "file"}
    assert FailedPackage.objects.count() == 0


def test_the_upload_sends_large_files_to_the_command(admin_client, provider_x, seller_a):
    rows = "".join(f"TRK-{n},SHOP-A,ORD-{n}\n" for n in range(1001))
    upload = csv_upload("tracking_number,shop_code,order_id\n" + rows)

    response = admin_client.post(IMPORT, {"provider": provider_x.pk, "file": upload})

    assert response.context["form"].errors["file"] == [
        "The file has 1,001 rows; the upload takes at most 1,000. "
        "Split it, or use manage.py import_packages."
    ]
    assert FailedPackage.objects.count() == 0


def test_provider_staff_without_permission_cannot_import(client_for, xavier):
    assert client_for(xavier).get(IMPORT).status_code == 403


def test_provider_staff_may_import_only_for_their_own_provider(
    client_for, xavier, provider_x, provider_y
):
    xavier.user_permissions.add(Permission.objects.get(codename="add_failedpackage"))

    response = client_for(xavier).get(IMPORT)

    assert list(response.context["form"].fields["provider"].queryset) == [provider_x]

"""Destruction certificates that travel: the PDF, its code, and the public check."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django.asserts import assertContains, assertNotContains

from returns import certificate_pdf, certificates
from returns.models import FailedPackage, PackageBatch
from tests.builders import awaiting_package, destroyed_package
from tests.factories import SellerFactory


def pdf_url(package: FailedPackage) -> str:
    return reverse("returns:certificate_pdf", args=[package.public_id])


def verify_url(code: str) -> str:
    return reverse("returns:verify", args=[code])


def code_in(pdf: bytes) -> str:
    """The verification code the PDF carries, read back from the file itself."""
    match = re.search(rb"/Keywords \(([A-Z0-9-]+)\)", pdf)
    assert match, "the PDF names no verification code"
    return match.group(1).decode()


@pytest.fixture
def destroyed(seller_a, provider_x, xavier) -> FailedPackage:
    return destroyed_package(seller_a, provider_x, staff=xavier)


def test_a_destruction_issues_a_code_that_no_other_certificate_has(
    destroyed, seller_a, provider_x, xavier
):
    other = destroyed_package(seller_a, provider_x, staff=xavier)

    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", destroyed.certificate_code)
    assert destroyed.certificate_code != other.certificate_code
    assert awaiting_package(seller_a, provider_x).certificate_code == ""


def test_the_pdf_carries_the_code_that_the_public_page_confirms(client_for, alice, destroyed):
    response = client_for(alice).get(pdf_url(destroyed))
    code = code_in(response.content)
    check = Client().get(verify_url(code))  # a stranger holding the paper, signed in nowhere

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert code == destroyed.certificate_code
    assert check.status_code == 200
    assertContains(check, "DX-2041")


def test_the_public_page_confirms_the_providers_act_and_nothing_of_the_sellers(client, destroyed):
    response = client.get(verify_url(destroyed.certificate_code))

    assert response.status_code == 200
    assertContains(response, "Certificate verified")
    assertContains(response, "DX-2041")
    assertContains(response, "Shredded")
    assertContains(response, "SwiftLane")
    for private in [
        destroyed.seller.name,
        destroyed.seller.shop_code,
        destroyed.tracking_number,
        destroyed.order_id,
        destroyed.description,
    ]:
        assertNotContains(response, private)
    assert response["Cache-Control"] == "no-store"


def test_a_code_typed_in_lower_case_without_dashes_is_found(client, destroyed):
    typed = destroyed.certificate_code.replace("-", "").lower()

    assert client.get(verify_url(typed)).status_code == 200


def test_an_unknown_code_is_a_404_that_says_so(client, destroyed):
    response = client.get(verify_url("AAAA-BBBB-CCCC"))

    assert response.status_code == 404
    assertContains(
        response, "No destruction certificate has the code AAAA-BBBB-CCCC", status_code=404
    )


def test_the_batch_shows_only_when_the_destruction_names_one(client, destroyed):
    without = client.get(verify_url(destroyed.certificate_code))
    batch = PackageBatch.objects.create(
        reference="DB-0007", provider=destroyed.provider, kind=PackageBatch.Kind.DESTRUCTION
    )
    FailedPackage.objects.filter(pk=destroyed.pk).update(destruction_batch=batch)
    with_batch = client.get(verify_url(destroyed.certificate_code))

    assertNotContains(without, "Batch")
    assertContains(with_batch, "DB-0007")


def test_the_check_is_rate_limited_per_address(client, destroyed, settings):
    settings.CERTIFICATE_VERIFY_LIMIT = 3
    settings.CERTIFICATE_VERIFY_WINDOW_MINUTES = 10
    url = verify_url(destroyed.certificate_code)

    with time_machine.travel(timezone.now().replace(minute=0, second=1), tick=False):
        answers = [client.get(url, REMOTE_ADDR="203.0.113.5").status_code for _ in range(4)]
        other_address = client.get(url, REMOTE_ADDR="203.0.113.6").status_code
        limited = client.get(url, REMOTE_ADDR="203.0.113.5")
    later = timezone.now().replace(minute=0, second=1) + timedelta(minutes=10)
    with time_machine.travel(later, tick=False):
        again = client.get(url, REMOTE_ADDR="203.0.113.5").status_code

    assert answers == [200, 200, 200, 429]
    assert other_address == 200
    assertContains(limited, "Too many certificates were checked", status_code=429)
    assertNotContains(limited, "DX-2041", status_code=429)
    assert again == 200


def test_the_check_reads_a_fixed_number_of_queries(client, destroyed, django_assert_num_queries):
    client.get(verify_url(destroyed.certificate_code))  # the window's row exists from here on

    with django_assert_num_queries(4):  # expired windows, the window, the hit, the package
        client.get(verify_url(destroyed.certificate_code))


def test_another_sellers_certificate_pdf_is_a_404(client_for, bob, destroyed):
    assert client_for(bob).get(pdf_url(destroyed)).status_code == 404


def test_another_providers_staff_get_a_404_and_its_own_staff_the_pdf(
    client_for, yvonne, xavier, destroyed
):
    assert client_for(yvonne).get(pdf_url(destroyed)).status_code == 404
    assert client_for(xavier).get(pdf_url(destroyed)).status_code == 200


def test_a_package_not_destroyed_has_no_pdf(client_for, alice, seller_a, provider_x):
    package = awaiting_package(seller_a, provider_x)

    assert client_for(alice).get(pdf_url(package)).status_code == 404


@pytest.mark.parametrize(
    ("shop", "contents", "language", "fonts"),
    [
        ("ร้านของดีเชียงใหม่", "ลำโพงบลูทูธ", "th", ["notosans", "notosansthai"]),
        ("优品小店", "蓝牙音箱", "zh-hans", ["notosans", "notosanssc"]),
        ("Cửa hàng Đẹp", "Loa bluetooth", "vi", ["notosans"]),
    ],
)
def test_thai_chinese_and_vietnamese_text_has_every_glyph(
    shop, contents, language, fonts, provider_x, xavier
):
    seller = SellerFactory(shop_code=f"SHOP-{language}", name=shop, language=language)
    package = destroyed_package(seller, provider_x, staff=xavier)
    FailedPackage.objects.filter(pk=package.pk).update(description=contents)
    package.refresh_from_db()

    with translation.override(language):
        pdf = certificate_pdf.document(package)
        data = bytes(pdf.output())

    assert data.startswith(b"%PDF-")
    assert [font.missing_glyphs for font in pdf.fonts.values()] == [[]] * len(pdf.fonts)
    assert list(pdf.fonts) == fonts  # the fallback the script needs, and only that


def test_a_latin_certificate_does_not_load_the_other_scripts(destroyed):
    pdf = certificate_pdf.document(destroyed)

    assert list(pdf.fonts) == ["notosans"]


def test_the_verify_link_on_the_certificate_is_the_public_page(destroyed):
    assert certificates.verify_url(destroyed) == (
        f"https://returns.example/verify/{destroyed.certificate_code}/"
    )

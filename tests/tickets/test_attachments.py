"""Attachments: JPEG, PNG or PDF by content, 10 MB and 5 files at most, served after a check."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains

from tests.builders import awaiting_package, file_ticket, question_ticket
from tests.files import PDF_BYTES, pdf, png, png_bytes
from tickets.models import Attachment, Ticket
from tickets.services import reply_as_staff


def download_url(attachment: Attachment) -> str:
    return reverse("tickets:attachment", args=[attachment.message.ticket.reference, attachment.pk])


def test_a_photo_is_kept_under_a_random_name_outside_media_root(
    client_for, alice, seller_a, provider_x, settings
):
    package = awaiting_package(seller_a, provider_x)

    file_ticket(client_for(alice), package, attachments=[png("my label.png")])

    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.content_type) == ("my label.png", "image/png")
    stored = Path(attachment.file.path)
    assert stored.is_relative_to(settings.PRIVATE_MEDIA_ROOT)
    assert not stored.is_relative_to(settings.MEDIA_ROOT)
    assert "label" not in stored.name and stored.suffix == ".png"
    assert stored.read_bytes() == png_bytes()


def test_a_text_file_renamed_to_png_is_refused(client_for, alice, seller_a, provider_x):
    package = awaiting_package(seller_a, provider_x)
    impostor = SimpleUploadedFile("photo.png", b"just some notes\n" * 20, "image/png")

    response = file_ticket(client_for(alice), package, attachments=[impostor])

    assertContains(response, "“photo.png” is not a JPEG, PNG or PDF file.")
    assert not Ticket.objects.exists()


def test_a_file_over_10_mb_is_refused(client_for, alice, seller_a, provider_x):
    package = awaiting_package(seller_a, provider_x)
    big = SimpleUploadedFile("scan.png", png_bytes() + b"\0" * (11 * 1024 * 1024), "image/png")

    response = file_ticket(client_for(alice), package, attachments=[big])

    assertContains(response, "“scan.png” is 11.0\xa0MB; each file may be at most 10.0\xa0MB.")
    assert not Ticket.objects.exists()


def test_six_files_are_refused(client_for, alice, seller_a, provider_x):
    package = awaiting_package(seller_a, provider_x)

    response = file_ticket(
        client_for(alice), package, attachments=[png(f"photo{n}.png") for n in range(6)]
    )

    assertContains(response, "Attach at most 5 files to one message (you chose 6)")
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()


def test_a_reply_carries_attachments_too(client_for, alice, seller_a, provider_x):
    ticket = question_ticket(awaiting_package(seller_a, provider_x), alice)

    client_for(alice).post(
        ticket.get_absolute_url(), {"body": "Invoice attached.", "attachments": [pdf(), png()]}
    )

    names = list(ticket.messages.last().attachments.values_list("original_name", flat=True))
    assert names == ["invoice.pdf", "label.png"]


def test_the_seller_sees_the_photo_and_downloads_the_pdf(client_for, alice, seller_a, provider_x):
    package = awaiting_package(seller_a, provider_x)
    client = client_for(alice)
    file_ticket(client, package, attachments=[png(), pdf()])
    photo, document = Attachment.objects.order_by("id")

    page = client.get(photo.message.ticket.get_absolute_url())
    shown = client.get(download_url(photo))
    downloaded = client.get(download_url(document))

    assertContains(page, f'src="{download_url(photo)}"')
    assert shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"].startswith("inline")
    assert b"".join(shown.streaming_content) == png_bytes()
    assert downloaded["Content-Disposition"] == 'attachment; filename="invoice.pdf"'
    assert b"".join(downloaded.streaming_content) == PDF_BYTES


def test_another_seller_gets_a_404_for_the_attachment(client_for, alice, bob, seller_a, provider_x):
    file_ticket(client_for(alice), awaiting_package(seller_a, provider_x), attachments=[png()])
    attachment = Attachment.objects.get()

    assert client_for(bob).get(download_url(attachment)).status_code == 404


def test_an_attachment_url_under_another_ticket_is_a_404(client_for, alice, seller_a, provider_x):
    file_ticket(client_for(alice), awaiting_package(seller_a, provider_x), attachments=[png()])
    other = question_ticket(awaiting_package(seller_a, provider_x), alice)
    attachment = Attachment.objects.get()

    url = reverse("tickets:attachment", args=[other.reference, attachment.pk])

    assert client_for(alice).get(url).status_code == 404


def test_the_providers_staff_and_operators_open_it_other_providers_do_not(
    client_for, alice, xavier, yvonne, operator, seller_a, provider_x
):
    file_ticket(client_for(alice), awaiting_package(seller_a, provider_x), attachments=[png()])
    url = download_url(Attachment.objects.get())

    assert client_for(xavier).get(url).status_code == 200
    assert client_for(operator).get(url).status_code == 200
    assert client_for(yvonne).get(url).status_code == 404


def test_a_file_on_an_internal_note_is_hidden_from_the_seller(
    client_for, alice, xavier, seller_a, provider_x
):
    ticket = question_ticket(awaiting_package(seller_a, provider_x), alice)
    reply_as_staff(ticket=ticket, author=xavier, body="Damage photo", internal=True, files=[])
    note = ticket.messages.get(internal=True)
    attachment = Attachment.objects.create(
        message=note, original_name="damage.png", content_type="image/png", size=10, file="x.png"
    )

    assert client_for(alice).get(download_url(attachment)).status_code == 404

"""Where ticket attachments live: private storage, under random names (`portal.storage`)."""

from typing import TYPE_CHECKING

from portal.storage import random_name

if TYPE_CHECKING:
    from tickets.models import Attachment

EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}


def attachment_name(instance: "Attachment", filename: str) -> str:
    """A random name; the seller's own file name is kept on the row, never on disk."""
    return random_name("attachments", EXTENSIONS.get(instance.content_type, ""))

"""Where ticket attachments live: outside MEDIA_ROOT, under names nobody can guess.

Whatever a web server publishes at MEDIA_URL, these files are not in it; the
only way to read one is `tickets.views.attachment`, which checks access first.
"""

import os
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.deconstruct import deconstructible

EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT, read from the settings on each use, with no URL."""

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no public URL; link to the download view instead.")


def attachment_name(instance: models.Model, filename: str) -> str:
    """A random name; the seller's own file name is kept on the row, never on disk."""
    extension = EXTENSIONS.get(instance.content_type, "")
    return str(
        PurePosixPath("attachments", f"{timezone.now():%Y/%m}", uuid.uuid4().hex + extension)
    )

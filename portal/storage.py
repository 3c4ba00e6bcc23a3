"""Private files: outside MEDIA_ROOT, under names nobody can guess.

Whatever a web server publishes at MEDIA_URL, these files are not in it; the
only way to read one is a view that checks access first (a ticket's
attachment, a package's destruction photo).
"""

import os
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from django.utils.deconstruct import deconstructible


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


def random_name(folder: str, extension: str) -> str:
    """`folder/2026/03/<32 random hex digits><extension>`: no uploader's name on disk."""
    return str(PurePosixPath(folder, f"{timezone.now():%Y/%m}", uuid.uuid4().hex + extension))

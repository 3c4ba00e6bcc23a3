"""The destruction photo's accepted types, read from its bytes, and the type a stored one has.

Imported by `returns.models`, which re-exports them.
"""

from pathlib import PurePosixPath

import filetype
from django.core.files import File

# The destruction photo's types, each with the extension it is stored under. The services
# read the type from the file's first bytes (`photo_type`) and name the stored file by it,
# so the stored extension records a checked type and the download serves that type.
PHOTO_TYPES = {"image/jpeg": ".jpg", "image/png": ".png"}


def photo_type(photo: File[bytes]) -> str | None:
    """The photo's content type by its content, never its name; None unless JPEG or PNG."""
    photo.seek(0)
    kind = filetype.guess(photo.read(2048))
    photo.seek(0)
    return kind.mime if kind is not None and kind.mime in PHOTO_TYPES else None


def stored_photo_type(name: str) -> str:
    """The content type of a stored photo, from the extension `photo_type` chose (bytes of
    no stated type for a name the services did not write)."""
    types = {extension: mime for mime, extension in PHOTO_TYPES.items()}
    return types.get(PurePosixPath(name).suffix, "application/octet-stream")

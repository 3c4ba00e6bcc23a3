"""What a ticket may carry: JPEG, PNG or PDF, judged by content, within the size limits."""

from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext

from tickets.storage import EXTENSIONS

MAX_FILE_SIZE = 10 * 1024 * 1024
MAX_FILES_PER_MESSAGE = 5
ALLOWED_TYPES = frozenset(EXTENSIONS)
ACCEPT = "image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf"


@dataclass(frozen=True)
class CheckedUpload:
    """An upload whose type was read from its first bytes, not taken from its name."""

    file: UploadedFile[bytes]
    content_type: str

    @property
    def name(self) -> str:
        return self.file.name or ""


def check_upload(upload: UploadedFile[bytes]) -> CheckedUpload:
    size = upload.size or 0
    if size > MAX_FILE_SIZE:
        raise ValidationError(
            gettext("“%(name)s” is %(size)s; each file may be at most %(limit)s.")
            % {
                "name": upload.name,
                "size": filesizeformat(size),
                "limit": filesizeformat(MAX_FILE_SIZE),
            },
            code="too_large",
        )
    upload.seek(0)
    kind = filetype.guess(upload.read(8192))
    upload.seek(0)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise ValidationError(
            gettext(
                "“%(name)s” is not a JPEG, PNG or PDF file. We check what the file contains, "
                "not only its name: take a photo or export a PDF and attach that."
            )
            % {"name": upload.name},
            code="wrong_type",
        )
    return CheckedUpload(file=upload, content_type=kind.mime)


def check_uploads(uploads: list[UploadedFile[bytes]]) -> list[CheckedUpload]:
    if len(uploads) > MAX_FILES_PER_MESSAGE:
        raise ValidationError(
            gettext(
                "Attach at most %(max)s files to one message (you chose %(count)s); "
                "send the rest in a reply."
            )
            % {"max": MAX_FILES_PER_MESSAGE, "count": len(uploads)},
            code="too_many",
        )
    checked, errors = [], []
    for upload in uploads:
        try:
            checked.append(check_upload(upload))
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError(errors)
    return checked

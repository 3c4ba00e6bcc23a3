"""What a ticket may carry: JPEG, PNG or PDF, judged by content, within the size limits."""

from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

from tickets.storage import EXTENSIONS

MAX_FILE_SIZE = 10 * 1024 * 1024
MAX_FILES_PER_MESSAGE = 5
ALLOWED_TYPES = frozenset(EXTENSIONS)
ACCEPT = "image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf"


@dataclass(frozen=True)
class CheckedUpload:
    """An upload whose type was read from its first bytes, not taken from its name."""

    file: UploadedFile
    content_type: str


def check_upload(upload: UploadedFile) -> CheckedUpload:
    if upload.size > MAX_FILE_SIZE:
        raise ValidationError(
            f"“{upload.name}” is {filesizeformat(upload.size)}; each file may be at most "
            f"{filesizeformat(MAX_FILE_SIZE)}.",
            code="too_large",
        )
    upload.seek(0)
    kind = filetype.guess(upload.read(8192))
    upload.seek(0)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise ValidationError(
            f"“{upload.name}” is not a JPEG, PNG or PDF file. We check what the file contains, "
            "not only its name: take a photo or export a PDF and attach that.",
            code="wrong_type",
        )
    return CheckedUpload(file=upload, content_type=kind.mime)


def check_uploads(uploads: list[UploadedFile]) -> list[CheckedUpload]:
    if len(uploads) > MAX_FILES_PER_MESSAGE:
        raise ValidationError(
            f"Attach at most {MAX_FILES_PER_MESSAGE} files to one message (you chose "
            f"{len(uploads)}); send the rest in a reply.",
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

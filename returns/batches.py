"""Scan-station batches (DESIGN.md §9): packages scanned together, confirmed once.

A batch only gathers packages and reports on them: each package still changes
through its own transition in `returns.services`, with its compare-and-set, its
event and its notices. A confirmation is safe to send twice or from two screens at
once: the batch is closed by a compare-and-set, and each entry is taken under a row
lock and settled once, so a second run finishes what a first left undone and
changes nothing the first already did.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from portal.errors import DomainError
from portal.formatting import local_short
from portal.models import LogisticsProvider, User
from portal.storage import random_name
from returns import services
from returns.models import PHOTO_TYPES, BatchEntry, Channel, FailedPackage, PackageBatch, photo_type
from returns.staff_words import wrong_state

Kind = PackageBatch.Kind
Outcome = BatchEntry.Outcome

# The state each kind of batch takes its packages from.
EXPECTED: dict[str, FailedPackage.Status] = {
    Kind.DESTRUCTION: FailedPackage.Status.DESTRUCTION_PENDING,
    Kind.SEND_BACK: FailedPackage.Status.CLAIMED,
}
# A batch is confirmed while the agent waits, each package in its own transaction.
MAX_ENTRIES = 500


def find_scanned(packages: QuerySet[FailedPackage], tracking_number: str) -> FailedPackage | None:
    """The package a scanner read, from the user's scoped packages, as typed or in capitals.

    Another provider's number is simply not found: the answer is the same as for a
    number nobody registered.
    """
    number = tracking_number.strip()
    if not number:
        return None
    spellings = sorted({number, number.upper()})
    return packages.filter(tracking_number__in=spellings).order_by("pk").first()


def open_batch(*, provider: LogisticsProvider, kind: str, actor: User) -> PackageBatch:
    if kind not in Kind.values:
        raise DomainError(gettext("Choose a destruction batch or a send-back batch."))
    return PackageBatch.objects.create(provider=provider, kind=kind, created_by=actor)


def _refuse_if_confirmed(batch: PackageBatch) -> None:
    if not batch.is_open:
        raise DomainError(
            gettext("Batch %(reference)s was confirmed on %(when)s; start a new one.")
            % {
                "reference": batch.reference,
                "when": local_short(
                    batch.confirmed_at or timezone.now(), timezone.get_current_timezone_name()
                ),
            }
        )


def add_to_batch(
    *, batch: PackageBatch, packages: QuerySet[FailedPackage], tracking_number: str
) -> BatchEntry:
    """Scan a package into an open batch; a package in the wrong state is kept, and flagged
    by the list until the confirmation skips it (it may change state meanwhile)."""
    batch.refresh_from_db(fields=["confirmed_at"])
    _refuse_if_confirmed(batch)
    if not tracking_number.strip():
        # An empty scan (Enter alone) names no package to look for.
        raise DomainError(gettext("Scan or type a tracking number, then Enter"))
    package = find_scanned(packages.filter(provider_id=batch.provider_id), tracking_number)
    if package is None:
        raise DomainError(
            gettext("No package %(tracking)s at %(provider)s.")
            % {"tracking": tracking_number.strip(), "provider": batch.provider.name}
        )
    if batch.entries.count() >= MAX_ENTRIES:
        raise DomainError(
            gettext("A batch holds at most %(max)s packages; confirm this one, then start another.")
            % {"max": MAX_ENTRIES}
        )
    try:
        with transaction.atomic():
            return BatchEntry.objects.create(batch=batch, package=package)
    except IntegrityError:  # the unique (batch, package): scanned twice
        raise DomainError(
            gettext("%(tracking)s is already in this batch.")
            % {"tracking": package.tracking_number}
        ) from None


def remove_from_batch(*, batch: PackageBatch, entry_id: int) -> None:
    batch.refresh_from_db(fields=["confirmed_at"])
    _refuse_if_confirmed(batch)
    batch.entries.filter(pk=entry_id, outcome=Outcome.WAITING).delete()


@dataclass
class BatchReport:
    done: int = 0
    skipped: list[str] = field(default_factory=list)


def confirm_batch(
    *,
    batch: PackageBatch,
    actor: User,
    reference: str = "",
    method: str = "",
    photo: File[Any] | None = None,
) -> BatchReport:
    """Confirm the batch once, then apply it to every package not settled yet.

    1. Check there is something to confirm, and what a destruction needs (reference,
       method, photo type), before anything.
    2. Store the photo once, then close the batch with a compare-and-set that records
       who confirmed, when, and the reference and method. If another confirmation
       closed it first, carry on with what that one recorded (it may have stopped
       halfway); a batch with nothing left to do is refused.
    3. Each entry still waiting, in its own transaction: lock it (skipping one that
       another run holds), call the package's transition, record done or why skipped.
    """
    if not batch.entries.exists():
        raise DomainError(gettext("This batch is empty: scan its packages first."))
    if batch.kind == Kind.DESTRUCTION:
        reference = reference.strip()
        if not reference:
            raise DomainError(
                gettext("A destruction reference is required (the number on your record).")
            )
        if method not in FailedPackage.DestructionMethod.values:
            raise DomainError(gettext("Choose how the packages were destroyed."))
    # Judged by its content where it is stored, as a single destruction's photo is: the
    # stored name's extension decides how the download is served.
    content_type = photo_type(photo) if photo is not None else None
    if batch.kind == Kind.DESTRUCTION and photo is not None and content_type is None:
        raise DomainError(gettext("The photo must be a JPEG or PNG picture."))
    now = timezone.now()
    stored = ""
    if photo is not None and content_type is not None:
        # A random name, like a single destruction's photo; a lost race leaves an orphan.
        stored = batch.photo.storage.save(
            random_name("destructions", PHOTO_TYPES[content_type]), photo
        )
    closed = PackageBatch.objects.filter(pk=batch.pk, confirmed_at__isnull=True).update(
        confirmed_at=now,
        confirmed_by=actor,
        destruction_reference=reference,
        destruction_method=method,
        photo=stored,
    )
    batch.refresh_from_db()
    waiting = batch.entries.filter(outcome=Outcome.WAITING)
    if not closed and not waiting.exists():
        _refuse_if_confirmed(batch)
    report = BatchReport()
    for entry in waiting.select_related("package__seller", "package__provider").order_by("pk"):
        outcome, reason = _settle(batch, entry, actor)
        if outcome == Outcome.DONE:
            report.done += 1
        elif outcome == Outcome.SKIPPED:
            report.skipped.append(reason)
    return report


def _settle(batch: PackageBatch, entry: BatchEntry, actor: User) -> tuple[str, str]:
    """One entry's package through its transition; ("", "") if another run holds it."""
    skip_locked = connection.features.has_select_for_update_skip_locked
    with transaction.atomic():
        held = BatchEntry.objects.select_for_update(skip_locked=skip_locked).filter(
            pk=entry.pk, outcome=Outcome.WAITING
        )
        if not list(held.values_list("pk", flat=True)):
            return "", ""
        package = entry.package
        reason = wrong_state(package, EXPECTED[batch.kind]) or ""
        if not reason:
            try:
                _apply(batch, package, actor)
            except DomainError as error:
                package.refresh_from_db()
                reason = wrong_state(package, EXPECTED[batch.kind]) or error.message
        outcome = Outcome.SKIPPED if reason else Outcome.DONE
        BatchEntry.objects.filter(pk=entry.pk).update(outcome=outcome, skip_reason=reason)
    return outcome, reason


def _apply(batch: PackageBatch, package: FailedPackage, actor: User) -> None:
    if batch.kind == Kind.DESTRUCTION:
        services.confirm_destruction(
            package=package,
            reference=batch.destruction_reference,
            method=batch.destruction_method,
            actor=actor,
            channel=Channel.ADMIN,
            batch=batch,
        )
    else:
        services.mark_returned(package=package, actor=actor, channel=Channel.ADMIN, batch=batch)

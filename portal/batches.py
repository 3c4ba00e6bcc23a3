"""The loop every scheduled job runs (DESIGN.md §11, STYLE.md "Background work").

A job names the rows that still need work and the service to call for one
row; `run_in_batches` does the rest, so every job is safe to run twice, or on
two workers at once, and one bad row never holds up the others.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet

logger = logging.getLogger(__name__)

BATCH_SIZE = 200


@dataclass
class JobSummary:
    """What one run did; `details` says what a dry run would change, or why rows were not done."""

    job: str
    dry_run: bool = False
    done: int = 0
    skipped: int = 0
    failed: int = 0
    details: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if self.dry_run:
            return f"{self.job} (dry run): {len(self.details)} would change, nothing was changed"
        return f"{self.job}: {self.done} done, {self.skipped} skipped, {self.failed} failed"


def run_in_batches(
    job: str,
    pending: QuerySet[Any],
    handle: Callable[[Any], object],
    *,
    describe: Callable[[Any], str],
    dry_run: bool = False,
    skip_on: tuple[type[Exception], ...] = (),
    batch_size: int = BATCH_SIZE,
    handle_batch: Callable[[list[int]], list[int]] | None = None,
) -> JobSummary:
    """Call `handle` once for every row of `pending`, a batch at a time.

    `pending` must select only rows that still need the work, so that a row
    done by another worker, or by an earlier run, drops out of it. An
    exception in `skip_on` means someone else got there first (the row is
    skipped with the reason); any other exception fails that row only.

    With `handle_batch`, a whole batch is first done in one go (it returns the
    keys it did); if that raises, the batch is done again row by row with
    `handle`, so one bad row still fails alone.
    """
    summary = JobSummary(job=job, dry_run=dry_run)
    if dry_run:
        rows = pending.order_by("pk").iterator(chunk_size=batch_size)
        summary.details = [describe(row) for row in rows]
        return summary
    last_pk = 0
    while last_pk := process_one_batch(
        pending, handle, summary, last_pk, skip_on, batch_size, handle_batch
    ):
        pass
    return summary


def process_one_batch(
    pending: QuerySet[Any],
    handle: Callable[[Any], object],
    summary: JobSummary,
    after_pk: int,
    skip_on: tuple[type[Exception], ...],
    batch_size: int,
    handle_batch: Callable[[list[int]], list[int]] | None = None,
) -> int:
    """Handle the next batch after `after_pk` in one transaction; 0 when none is left.

    1. Lock the next rows by primary key, passing over rows another worker
       holds (it is handling them) — on PostgreSQL; SQLite has no row locks.
    2. Handle each row in its own savepoint, so a failure undoes that row only.
    3. Commit. Walking forward by key means a row that failed is not tried
       again in this run (the next run retries it), so it cannot jam the loop.
    """
    with transaction.atomic():
        pks = list(
            pending.select_related(None)
            .select_for_update(skip_locked=connection.features.has_select_for_update_skip_locked)
            .filter(pk__gt=after_pk)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not pks:
            return 0
        if handle_batch is not None and _handle_all(pks, handle_batch, summary):
            return int(pks[-1])
        # Read again without FOR UPDATE, so related rows (seller, provider) are not locked too.
        for row in pending.filter(pk__in=pks).order_by("pk"):
            _handle_one(row, handle, summary, skip_on)
    return int(pks[-1])


def _handle_one(
    row: Any,
    handle: Callable[[Any], object],
    summary: JobSummary,
    skip_on: tuple[type[Exception], ...],
) -> None:
    label = str(row)  # as read, before `handle` changes it in memory
    try:
        with transaction.atomic():
            handle(row)
    except skip_on as exc:
        summary.skipped += 1
        summary.details.append(f"skipped {label}: {exc}")
        logger.info("%s: skipped %s: %s", summary.job, label, exc)
    except Exception as exc:  # one bad row is recorded and passed over, never blocks the rest
        summary.failed += 1
        summary.details.append(f"failed {label}: {type(exc).__name__}: {exc}")
        logger.exception("%s: %s failed", summary.job, label)
    else:
        summary.done += 1


def _handle_all(
    pks: list[int], handle_batch: Callable[[list[int]], list[int]], summary: JobSummary
) -> bool:
    try:
        with transaction.atomic():
            done = handle_batch(pks)
    except Exception as exc:  # the batch is undone and retried row by row
        logger.warning(
            "%s: batch after %s failed, row by row instead: %s", summary.job, pks[0], exc
        )
        return False
    summary.done += len(done)
    # Rows locked for this batch cannot have changed: any not done no longer needed it.
    summary.skipped += len(pks) - len(done)
    return True

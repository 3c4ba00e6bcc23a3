"""The finalize job's batches, set-based (DESIGN.md §11): closed windows by the thousand.

`services.finalize_expired_package` is the rule for one package; this is the same
rule and the same compare-and-set for a batch of them, written as few statements
as the database allows. The notices are written unrendered (the outbox renders
them when it sends them).
"""

from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext

from portal.errors import DomainError
from portal.models import LogisticsProvider, Seller
from returns.emails import DEFERRED_KINDS
from returns.models import Channel, FailedPackage, Notification, PackageEvent

Status = FailedPackage.Status
Kind = Notification.Kind
PACKAGES = FailedPackage._meta.db_table

# Both notices of a closed window: the instruction to the provider, the final notice
# to the seller.
NOTICE_KINDS = (Kind.DESTRUCTION_INSTRUCTION, Kind.DESTRUCTION_FINALIZED)


def _event_insert(source: str, at: datetime | str | None) -> tuple[str, list[Any]]:
    """The `window_closed` event of every package in `source` (a relation with `id`)."""
    sql = (
        f"INSERT INTO {PackageEvent._meta.db_table}"
        " (package_id, action, from_status, to_status, actor_id, channel, created_at, detail,"
        " facts)"
        f" SELECT p.id, %s, %s, %s, NULL, %s, %s, '', '{{}}' FROM {source} p"
    )
    return sql, ["window_closed", Status.AWAITING_SELLER, Status.DESTRUCTION_PENDING,
                 Channel.JOB, at]  # fmt: skip


def _notice_insert(
    kind: Notification.Kind, source: str, at: datetime | str | None
) -> tuple[str, list[Any]]:
    """One unrendered notice of `kind` for every package in `source` (a relation with `id`,
    `seller_id` and `provider_id`), addressed as `emails.queue_notification` addresses it;
    a notice already written is left alone."""
    to_seller = DEFERRED_KINDS[kind] == Notification.Audience.SELLER
    recipient = (Seller if to_seller else LogisticsProvider)._meta.db_table
    sql = f"""
        INSERT INTO {Notification._meta.db_table} (
            audience, seller_id, provider_id, package_id, ticket_reference, kind, to_email,
            subject, body_text, body_html, dedupe_key, status, attempts, next_attempt_at,
            last_error, created_at, language
        )
        SELECT %s, {"p.seller_id" if to_seller else "NULL"}, p.provider_id, p.id, '', %s,
               r.{"contact_email" if to_seller else "ops_email"}, '', '', '',
               CAST(%s AS TEXT) || CAST(p.id AS TEXT), %s, 0, %s, '', %s, r.language
        FROM {source} p
        JOIN {recipient} r ON r.id = p.{"seller_id" if to_seller else "provider_id"}
        ON CONFLICT (dedupe_key) DO NOTHING
    """
    return sql, [DEFERRED_KINDS[kind], kind, f"{kind}:", Notification.Status.PENDING, at, at]


@transaction.atomic
def finalize_expired_packages(*, package_ids: list[int], now: datetime) -> list[int]:
    """`services.finalize_expired_package` for a whole batch of the job; returns the
    packages it finalized.

    Lock the rows still awaiting the seller past their deadline (passing over rows a
    seller's claim holds), move them, write their events and both notices.
    PostgreSQL does it in one statement; SQLite, which has no row locks and no writes
    in a WITH, in one statement per step.
    """
    if connection.vendor == "postgresql":
        return _in_one_statement(package_ids, now)
    return _step_by_step(package_ids, now)


def _in_one_statement(package_ids: list[int], now: datetime) -> list[int]:
    """Every write of the batch fed by one `UPDATE … RETURNING`: one round trip, and the
    rows are read once, not once per step."""
    writes = [_event_insert("moved", now), *(_notice_insert(k, "moved", now) for k in NOTICE_KINDS)]
    ctes = ", ".join(f"write_{n} AS ({sql})" for n, (sql, _) in enumerate(writes))
    awaiting = "status = %s AND claim_deadline < %s"
    sql = (
        f"WITH locked AS (SELECT id FROM {PACKAGES} WHERE id = ANY(%s) AND {awaiting}"
        " FOR UPDATE SKIP LOCKED),"
        f" moved AS (UPDATE {PACKAGES} SET status = %s, destruction_requested_at = %s"
        f" WHERE id IN (SELECT id FROM locked) AND {awaiting}"
        " RETURNING id, seller_id, provider_id),"
        f" {ctes} SELECT id FROM moved"
    )
    params: list[Any] = [package_ids, Status.AWAITING_SELLER, now, Status.DESTRUCTION_PENDING, now,
              Status.AWAITING_SELLER, now]  # fmt: skip
    for _, write_params in writes:
        params += write_params
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(row[0] for row in cursor.fetchall())


def _step_by_step(package_ids: list[int], now: datetime) -> list[int]:
    expired = FailedPackage.objects.filter(
        pk__in=package_ids, status=Status.AWAITING_SELLER, claim_deadline__lt=now
    )
    ids = list(expired.values_list("id", flat=True))
    if not ids:
        return []
    if expired.filter(pk__in=ids).update(
        status=Status.DESTRUCTION_PENDING, destruction_requested_at=now
    ) != len(ids):
        # SQLite locks no rows: one changed since it was read.
        raise DomainError(
            gettext("A package changed while its window was being closed; run again.")
        )
    at = connection.ops.adapt_datetimefield_value(now)  # raw SQL: as the ORM would store it
    source = f"(SELECT * FROM {PACKAGES} WHERE id IN ({', '.join(['%s'] * len(ids))}))"
    with connection.cursor() as cursor:
        for sql, params in [
            _event_insert(source, at),
            *(_notice_insert(kind, source, at) for kind in NOTICE_KINDS),
        ]:
            cursor.execute(sql, [*params, *ids])  # the source comes last in each statement
    return ids

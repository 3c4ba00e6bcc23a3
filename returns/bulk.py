"""The finalize job's batches, set-based (DESIGN.md §11): closed windows by the thousand.

`services.finalize_expired_package` is the rule for one package; this is the same
rule and the same compare-and-set for a batch of them, written as few statements
as the database allows. The notices are written unrendered (the outbox renders
them when it sends them), under the dedupe keys `notice_queue.package_key` gives the
single-package path, so a notice written either way is found by the other.

Every value is a query parameter; only table and column names are written into
the SQL, quoted by the database's own `quote_name`, and composed once.
"""

import json
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils.translation import gettext

from portal.errors import DomainError
from portal.models import LogisticsProvider, Seller
from returns.models import Channel, EventAction, FailedPackage, Notification, PackageEvent
from returns.notice_queue import DEFERRED_KINDS, package_key_prefix

Status = FailedPackage.Status
Kind = Notification.Kind

# Both notices of a closed window: the instruction to the provider, the final notice
# to the seller.
NOTICE_KINDS = (Kind.DESTRUCTION_INSTRUCTION, Kind.DESTRUCTION_FINALIZED)


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _event_insert(source: str) -> str:
    """The `window_closed` event of every package in `source` (a relation with `id`)."""
    return (
        f"INSERT INTO {_table(PackageEvent)}"
        " (package_id, action, from_status, to_status, actor_id, channel, created_at, detail,"
        " facts)"
        " SELECT p.id, %(action)s, %(awaiting)s, %(pending)s, NULL, %(channel)s, %(now)s, '',"
        f" '{{}}' FROM {source} p"
    )


def _notice_insert(number: int, kind: Notification.Kind, source: str) -> str:
    """One unrendered notice of `kind` for every package in `source` (a relation with `id`,
    `seller_id` and `provider_id`), addressed as `notice_queue.queue_notification` addresses it;
    a notice already written is left alone. Its values are the parameters named
    `kind_<number>`, `audience_<number>` and `key_<number>` (`_params`)."""
    to_seller = DEFERRED_KINDS[kind] == Notification.Audience.SELLER
    recipient = _table(Seller if to_seller else LogisticsProvider)
    seller = "p.seller_id" if to_seller else "NULL"
    address = "r.contact_email" if to_seller else "r.ops_email"
    join = "p.seller_id" if to_seller else "p.provider_id"
    return f"""
        INSERT INTO {_table(Notification)} (
            audience, seller_id, provider_id, package_id, ticket_reference, kind, to_email,
            subject, body_text, body_html, dedupe_key, status, attempts, next_attempt_at,
            last_error, created_at, language
        )
        SELECT %(audience_{number})s, {seller}, p.provider_id, p.id, '', %(kind_{number})s,
               {address}, '', '', '', CAST(%(key_{number})s AS TEXT) || CAST(p.id AS TEXT),
               %(notice_status)s, 0, %(now)s, '', %(now)s, r.language
        FROM {source} p
        JOIN {recipient} r ON r.id = {join}
        ON CONFLICT (dedupe_key) DO NOTHING
    """


def _params(now: datetime | str | None) -> dict[str, Any]:
    params: dict[str, Any] = {
        "action": EventAction.WINDOW_CLOSED,
        "awaiting": Status.AWAITING_SELLER,
        "pending": Status.DESTRUCTION_PENDING,
        "channel": Channel.JOB,
        "notice_status": Notification.Status.PENDING,
        "now": now,
    }
    for number, kind in enumerate(NOTICE_KINDS):
        params[f"kind_{number}"] = kind
        params[f"audience_{number}"] = DEFERRED_KINDS[kind]
        params[f"key_{number}"] = package_key_prefix(kind)
    return params


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


@cache
def _one_statement_sql() -> str:
    """Every write of the batch fed by one `UPDATE … RETURNING`: one round trip, and the
    rows are read once, not once per step."""
    packages = _table(FailedPackage)
    writes = [_event_insert("moved")] + [
        _notice_insert(number, kind, "moved") for number, kind in enumerate(NOTICE_KINDS)
    ]
    awaiting = "status = %(awaiting)s AND claim_deadline < %(now)s"
    return (
        f"WITH locked AS (SELECT id FROM {packages} WHERE id = ANY(%(ids)s) AND {awaiting}"
        " FOR UPDATE SKIP LOCKED),"
        f" moved AS (UPDATE {packages} SET status = %(pending)s, destruction_requested_at = %(now)s"
        f" WHERE id IN (SELECT id FROM locked) AND {awaiting}"
        " RETURNING id, seller_id, provider_id), "
        + ", ".join(f"write_{n} AS ({sql})" for n, sql in enumerate(writes))
        + " SELECT id FROM moved"
    )


def _in_one_statement(package_ids: list[int], now: datetime) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(_one_statement_sql(), {**_params(now), "ids": package_ids})
        return sorted(row[0] for row in cursor.fetchall())


@cache
def _step_by_step_sql() -> list[str]:
    # The batch's packages, named by a JSON array: one parameter, however long the batch.
    source = (
        f"(SELECT id, seller_id, provider_id FROM {_table(FailedPackage)}"
        " WHERE id IN (SELECT value FROM json_each(%(ids)s)))"
    )
    return [_event_insert(source)] + [
        _notice_insert(number, kind, source) for number, kind in enumerate(NOTICE_KINDS)
    ]


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
    # Raw SQL: the moment as the ORM would store it.
    params = {**_params(connection.ops.adapt_datetimefield_value(now)), "ids": json.dumps(ids)}
    with connection.cursor() as cursor:
        for sql in _step_by_step_sql():
            cursor.execute(sql, params)
    return ids

"""Bulk data for the benchmarks: a realistic portal at any size, loaded with COPY.

`python -m tests.perf.generate --packages 1000000` against an empty, migrated
PostgreSQL database. Two providers, 1,000 sellers (the first one big: a tenth
of the packages, at least 15,000, so what grows with a seller's rows grows with
the run), a state mix with attempts, events and notifications, a tenth of the
awaiting packages past their deadline for the finalize bench, and tickets with
their messages (10,000 for the big seller at SwiftLane, one per 100 packages of
the others).
"""

import argparse
import random
import secrets
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection

from portal.tenancy import PROVIDER_STAFF_GROUP

SELLERS = 1000
# The big seller's share: the seller list, its count and the send-back form grow with it.
BIG_SELLER_SHARE = 10
BIG_SELLER_MIN_PACKAGES = 15_000
BIG_SELLER_TICKETS = 10_000
PASSWORD = "bench-password"

# Share of packages per status; "expired" are awaiting_seller past their deadline.
MIX = [
    ("in_delivery", 0.08),
    ("awaiting_seller", 0.07),
    ("expired", 0.10),
    ("claimed", 0.05),
    ("returned", 0.30),
    ("destruction_pending", 0.05),
    ("destroyed", 0.35),
]

NOW = datetime.now(UTC)


def _copy(table: str, columns: list[str], rows: Iterator[tuple]) -> int:
    count = 0
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _statuses(total: int, rng: random.Random) -> list[str]:
    statuses = [s for s, share in MIX for _ in range(round(total * share))]
    statuses += ["returned"] * (total - len(statuses))
    rng.shuffle(statuses)
    return statuses[:total]


def big_seller_packages(packages: int) -> int:
    return min(packages, max(BIG_SELLER_MIN_PACKAGES, packages // BIG_SELLER_SHARE))


BULK_TABLES = [
    "returns_failedpackage",
    "returns_deliveryattempt",
    "returns_packageevent",
    "returns_notification",
    "tickets_ticket",
    "tickets_ticketmessage",
]


def _secondary_indexes() -> list[tuple[str, str]]:
    """(name, definition) of the bulk tables' indexes that back no constraint."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i"
            " WHERE i.tablename = ANY(%s) AND NOT EXISTS ("
            "  SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [BULK_TABLES],
        )
        return cursor.fetchall()


def generate(packages: int, seed: int = 7) -> dict[str, int]:
    """Load the data with the secondary indexes dropped, then build them once: far
    quicker than updating a dozen indexes row by row."""
    indexes = _secondary_indexes()
    with connection.cursor() as cursor:
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    counts = _load(packages, seed)
    started = time.monotonic()
    with connection.cursor() as cursor:
        for _, definition in indexes:
            cursor.execute(definition)
        # VACUUM too, as autovacuum would have by now in production: it fills the
        # visibility map that index-only scans (counts, filter choices) depend on.
        cursor.execute("VACUUM ANALYZE")
    counts["index_seconds"] = round(time.monotonic() - started, 1)
    counts["seconds"] = round(counts["seconds"] + counts["index_seconds"], 1)
    return counts


STORY_SQL = {
    # Three failed attempts before a package failed, one so far for one in delivery;
    # then the delivery, or the seller's refusal, as the last attempt.
    "attempts": """
        INSERT INTO returns_deliveryattempt
            (package_id, number, attempted_at, outcome, failure_reason, courier_note)
        SELECT p.id, n, p.registered_at + n * interval '20 hours', 'failed',
               'Nobody at the address', ''
        FROM returns_failedpackage p
        CROSS JOIN LATERAL generate_series(1, CASE WHEN p.reason = 'delivery_failed' THEN 3
                                                   WHEN p.status = 'in_delivery' THEN 1
                                                   ELSE 0 END) AS n
        UNION ALL
        SELECT p.id, 1, p.registered_at + interval '1 day',
               CASE WHEN p.status = 'returned' THEN 'delivered' ELSE 'rejected' END, '', ''
        FROM returns_failedpackage p
        WHERE p.status = 'returned' OR p.reason = 'seller_rejected'
    """,
    "events": """
        INSERT INTO returns_packageevent
            (package_id, action, from_status, to_status, channel, created_at, detail, facts)
        SELECT id, 'registered', '', 'in_delivery', 'api', registered_at, '', '{}'::jsonb
        FROM returns_failedpackage
        UNION ALL
        SELECT id, CASE status WHEN 'returned' THEN 'delivered' WHEN 'claimed' THEN 'claimed'
                               WHEN 'destroyed' THEN 'destroyed' ELSE 'delivery_failed' END,
               'in_delivery', status, 'api', registered_at + interval '2 days', '', '{}'::jsonb
        FROM returns_failedpackage WHERE status <> 'in_delivery'
    """,
    # The big seller's tickets at SwiftLane, on its packages there in turn: questions and
    # disputes of every status, and claims that are over (one open claim per package).
    "tickets": """
        INSERT INTO tickets_ticket
            (reference, category, status, subject, delivery_address, contact_phone, created_at,
             first_response_at, last_activity_at, provider_id, seller_id, package_id,
             created_by_id)
        SELECT 'BT-' || lpad(n::text, 8, '0'), category,
               CASE WHEN category IN ('send_back', 'pick_up') THEN 'closed'
                    ELSE (ARRAY['open', 'waiting_on_seller', 'resolved', 'closed'])[1 + n %% 4]
               END,
               'About package ' || n, '', '', now() - n * interval '5 minutes',
               CASE WHEN n %% 4 = 0 THEN NULL ELSE now() - n * interval '5 minutes'
                    + interval '1 hour' END,
               now() - n * interval '5 minutes' + interval '2 hours',
               %(provider)s, %(seller)s, packages[1 + n %% array_length(packages, 1)], %(author)s
        FROM generate_series(1, %(tickets)s) AS n
        CROSS JOIN LATERAL (SELECT (ARRAY['question', 'dispute', 'send_back', 'question',
                                          'pick_up'])[1 + n %% 5] AS category) c
        CROSS JOIN (SELECT array_agg(id ORDER BY id) AS packages FROM returns_failedpackage
                    WHERE seller_id = %(seller)s AND provider_id = %(provider)s) p
        UNION ALL
        SELECT 'BO-' || lpad(id::text, 8, '0'), 'question',
               (ARRAY['open', 'waiting_on_seller', 'resolved', 'closed'])[1 + id %% 4],
               'About package ' || id, '', '', registered_at + interval '3 days', NULL,
               registered_at + interval '3 days', provider_id, seller_id, id, NULL
        FROM returns_failedpackage WHERE seller_id <> %(seller)s AND id %% 100 = 0
    """,
    # Three messages a ticket: the seller's question, the provider's answer, the seller again.
    "messages": """
        INSERT INTO tickets_ticketmessage
            (ticket_id, author_id, body, internal, written_for_seller, created_at)
        SELECT t.id, CASE WHEN m = 2 THEN %(agent)s ELSE t.created_by_id END,
               'Message ' || m || ' about the package: where it is, and when it can come back.',
               false, false, t.created_at + m * interval '30 minutes'
        FROM tickets_ticket t CROSS JOIN generate_series(1, 3) AS m
    """,
    "notifications": """
        INSERT INTO returns_notification
            (audience, seller_id, provider_id, package_id, ticket_reference, kind, to_email,
             subject, body_text, body_html, dedupe_key, status, attempts, next_attempt_at,
             sent_at, last_error, created_at, language)
        SELECT 'seller', seller_id, provider_id, id, '', 'destruction_notice',
               'shop@bench.example', 'Package ' || id, 'Text body of the notice.',
               '<p>HTML body of the notice.</p>', 'bench:' || id, 'sent', 1,
               registered_at + interval '2 days', registered_at + interval '2 days 1 minute',
               '', registered_at + interval '2 days', 'en'
        FROM returns_failedpackage WHERE reason <> ''
    """,
}


def _load(packages: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO portal_logisticsprovider "
            "(name, code, support_phone, support_email, opening_hours, warehouse_address,"
            " ops_email, time_zone, language) VALUES "
            "('SwiftLane', 'swiftlane', '+66 2 555 0142', 'support@swiftlane.example',"
            " 'Mon–Sat 08:00–18:00', 'Bangkok', 'ops@swiftlane.example', 'Asia/Bangkok', 'th'),"
            "('NordParcel', 'nordparcel', '+49 30 5557 2210', 'help@nordparcel.example',"
            " 'Mon–Fri 07:00–19:00', 'Berlin', 'ops@nordparcel.example', 'Europe/Berlin', 'en')"
            " RETURNING id"
        )
        provider_ids = [row[0] for row in cursor.fetchall()]

    zones = ["Asia/Bangkok", "Europe/Berlin", "Europe/Lisbon", "America/New_York"]
    # The email switches have no database default: COPY names them.
    seller_columns = [
        "name", "shop_code", "contact_email", "time_zone", "language", "reminder_emails",
        "ticket_reply_emails",
    ]  # fmt: skip
    counts["sellers"] = _copy(
        "portal_seller",
        seller_columns,
        (
            (f"Shop {n}", f"SHOP-{n:05d}", f"shop{n}@bench.example", zones[n % 4], "en", True, True)
            for n in range(SELLERS)
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM portal_seller ORDER BY id")
        seller_ids = [row[0] for row in cursor.fetchall()]
    big_seller = seller_ids[0]

    password = make_password(PASSWORD)
    user_columns = [
        "email", "password", "first_name", "last_name", "is_staff", "is_superuser",
        "is_active", "date_joined", "seller_id", "provider_id", "language", "seller_role",
        "session_version", "permissions_version",
    ]  # fmt: skip
    counts["users"] = _copy(
        "portal_user",
        user_columns,
        [
            ("big@bench.example", password, "", "", False, False, True, NOW, big_seller, None,
             "", "owner", 0, 0),
            ("agent@swiftlane.bench", password, "", "", True, False, True, NOW, None,
             provider_ids[0], "", "member", 0, 0),
            ("operator@bench.example", password, "", "", True, True, True, NOW, None, None, "",
             "member", 0, 0),
        ],
    )  # fmt: skip

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO portal_user_groups (user_id, group_id)"
            " SELECT u.id, g.id FROM portal_user u, auth_group g"
            " WHERE u.email = 'agent@swiftlane.bench' AND g.name = %s",
            [PROVIDER_STAFF_GROUP],
        )

    statuses = _statuses(packages, rng)
    package_columns = [
        "public_id", "provider_id", "seller_id", "tracking_number", "order_id", "return_id",
        "description", "weight_grams", "currency", "warehouse_location", "reason", "status",
        "registered_at", "failed_at", "claim_deadline", "claimed_at", "released_at",
        "returned_at", "destruction_requested_at", "destroyed_at", "destruction_reference",
        "destruction_method", "destruction_photo",
    ]  # fmt: skip

    big = big_seller_packages(packages)

    def package_rows() -> Iterator[tuple]:
        for n, status in enumerate(statuses):
            seller = big_seller if n < big else seller_ids[1 + n % (SELLERS - 1)]
            registered = NOW - timedelta(days=rng.uniform(0, 60))
            failed = registered + timedelta(days=2)
            failed_states = {"awaiting_seller", "expired", "claimed", "destruction_pending"}
            reason = "delivery_failed" if status in failed_states else ""
            deadline = None
            if status == "awaiting_seller":
                deadline = NOW + timedelta(hours=rng.uniform(1, 160))
            elif status == "expired":
                deadline = NOW - timedelta(minutes=rng.uniform(1, 600))
            elif status in {"claimed", "destruction_pending"}:
                deadline = failed + timedelta(days=7)
            destroyed = status == "destroyed"
            if destroyed:
                reason = "seller_rejected"
            yield (
                secrets.token_urlsafe(12),
                provider_ids[n % 2],
                seller,
                f"TRK{n:010d}",
                f"ORD-{n:08d}",
                "",
                "Boxed consumer electronics",
                rng.randint(100, 9000),
                "THB",
                f"R{n % 90:02d}-S{n % 7}",
                reason,
                "awaiting_seller" if status == "expired" else status,
                registered,
                failed if reason else None,
                deadline,
                failed + timedelta(days=1) if status == "claimed" else None,
                None,
                failed + timedelta(days=3) if status == "returned" else None,
                failed if status in {"destruction_pending", "destroyed"} else None,
                failed + timedelta(days=2) if destroyed else None,
                f"DX-{n}" if destroyed else "",
                "shredded" if destroyed else "",
                "",
            )

    started = time.monotonic()
    counts["packages"] = _copy("returns_failedpackage", package_columns, package_rows())
    counts["packages_seconds"] = round(time.monotonic() - started, 1)

    # Attempts, events and notices follow each package's story, written by the database
    # itself from the packages: far quicker than a million more rows through Python.
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM portal_user WHERE email = 'big@bench.example'")
        (author,) = cursor.fetchone()
        cursor.execute("SELECT id FROM portal_user WHERE email = 'agent@swiftlane.bench'")
        (agent,) = cursor.fetchone()
        story = {
            "provider": provider_ids[0],
            "seller": big_seller,
            "author": author,
            "agent": agent,
            "tickets": BIG_SELLER_TICKETS,
        }
        for name, sql in STORY_SQL.items():
            cursor.execute(sql, story)
            counts[name] = cursor.rowcount

    counts["seconds"] = round(time.monotonic() - started, 1)
    return counts


def main() -> None:
    import django

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=1_000_000)
    args = parser.parse_args()
    django.setup()
    print(generate(args.packages))


if __name__ == "__main__":
    main()

"""Events keep the services' account as facts, worded in the reader's language when read.

Until now the services wrote their own English sentences into `detail`; the ones
they wrote are turned into facts here, so old events read in every language too.
What a person typed (a note, a reason) stays in `detail`.
"""

import re

from django.db import migrations, models

METHODS = {
    "Recycled": "recycled",
    "Shredded": "shredded",
    "Incinerated": "incinerated",
    "Other (see reference)": "other",
}
ATTEMPT = re.compile(r"Attempt (\d+) failed: (.*)", re.S)
DESTROYED = re.compile(
    r"(Recycled|Shredded|Incinerated|Other \(see reference\)), reference (.*)", re.S
)
OVERDUE = re.compile(r"Not destroyed (\d+) days after the instruction; the provider was reminded\.")
TICKET = re.compile(r"Ticket (RT-[A-Z0-9]+)")


def facts_of(action: str, detail: str) -> dict | None:
    """The facts an old English detail holds, or None when it is a person's own words."""
    if action in ("attempt_failed", "delivery_failed") and (m := ATTEMPT.fullmatch(detail)):
        return {"attempt": int(m[1]), "reason": m[2]}
    if action == "destroyed" and (m := DESTROYED.fullmatch(detail)):
        return {"method": METHODS[m[1]], "destruction_reference": m[2]}
    if action == "destruction_overdue" and (m := OVERDUE.fullmatch(detail)):
        return {"overdue_days": int(m[1])}
    if action == "claimed" and (m := TICKET.fullmatch(detail)):
        return {"ticket": m[1]}
    if action == "reminder_sent" and detail == "Deadline reminder emailed to the seller.":
        return {}
    return None


def words_to_facts(apps, schema_editor):
    PackageEvent = apps.get_model("returns", "PackageEvent")
    worded = PackageEvent.objects.filter(
        action__in=[
            "attempt_failed",
            "delivery_failed",
            "destroyed",
            "destruction_overdue",
            "claimed",
            "reminder_sent",
        ]
    ).exclude(detail="")
    changed = []
    for event in worded.only("pk", "action", "detail").iterator(chunk_size=2000):
        facts = facts_of(event.action, event.detail)
        if facts is None:
            continue
        event.facts, event.detail = facts, ""
        changed.append(event)
        if len(changed) == 2000:
            PackageEvent.objects.bulk_update(changed, ["facts", "detail"])
            changed = []
    PackageEvent.objects.bulk_update(changed, ["facts", "detail"])


def english_of(action: str, facts: dict) -> str:
    """The sentence the services used to write, for going back to a schema without facts."""
    if "attempt" in facts:
        return f"Attempt {facts['attempt']} failed: {facts.get('reason', '')}"
    if "destruction_reference" in facts:
        method = {code: label for label, code in METHODS.items()}[facts["method"]]
        return f"{method}, reference {facts['destruction_reference']}"
    if "overdue_days" in facts:
        days = facts["overdue_days"]
        return f"Not destroyed {days} days after the instruction; the provider was reminded."
    if "ticket" in facts:
        return f"Ticket {facts['ticket']}"
    if action == "reminder_sent":
        return "Deadline reminder emailed to the seller."
    return ""


def facts_to_words(apps, schema_editor):
    PackageEvent = apps.get_model("returns", "PackageEvent")
    changed = []
    for event in PackageEvent.objects.filter(detail="").iterator(chunk_size=2000):
        detail = english_of(event.action, event.facts or {})
        if detail:
            event.detail = detail
            changed.append(event)
    PackageEvent.objects.bulk_update(changed, ["detail"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0011_translated_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="packageevent",
            name="facts",
            field=models.JSONField(blank=True, default=dict, verbose_name="facts"),
        ),
        migrations.RunPython(words_to_facts, facts_to_words, elidable=True),
    ]

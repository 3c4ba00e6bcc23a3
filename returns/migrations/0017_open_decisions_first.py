"""The seller's list sorts open decisions first: a finer `action_rank`, and `open_deadline`,
the deadline only while the window is open, so an old deadline kept by a returned or
destroyed package no longer puts it first. A generated column cannot be altered, so
`action_rank` is dropped (with its index) and added again."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0016_event_actor_recent"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="failedpackage", name="package_seller_action"),
        migrations.RemoveIndex(model_name="failedpackage", name="package_seller_deadline"),
        migrations.RemoveField(model_name="failedpackage", name="action_rank"),
        migrations.AddField(
            model_name="failedpackage",
            name="action_rank",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Case(
                    models.When(status="awaiting_seller", then=models.Value(0)),
                    models.When(status="claimed", then=models.Value(1)),
                    models.When(status="destruction_pending", then=models.Value(2)),
                    models.When(status="in_delivery", then=models.Value(3)),
                    default=models.Value(4),
                ),
                output_field=models.PositiveSmallIntegerField(),
            ),
        ),
        migrations.AddField(
            model_name="failedpackage",
            name="open_deadline",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Case(
                    models.When(status="awaiting_seller", then=models.F("claim_deadline")),
                    default=None,
                ),
                output_field=models.DateTimeField(null=True),
            ),
        ),
        migrations.AddIndex(
            model_name="failedpackage",
            index=models.Index(
                fields=["seller", "action_rank", "open_deadline", "-registered_at", "-id"],
                name="package_seller_action",
            ),
        ),
        migrations.AddIndex(
            model_name="failedpackage",
            index=models.Index(
                fields=["seller", "open_deadline", "-registered_at", "-id"],
                name="package_seller_deadline",
            ),
        ),
    ]

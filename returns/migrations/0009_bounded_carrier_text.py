from django.db import migrations, models
from django.db.models.functions import Length, Substr

NOTE_MAX_LENGTH = 1000


def shorten_long_notes(apps, schema_editor):
    # The column cannot shrink while a longer note is stored; such a note is a feed's
    # mistake (one sent 5 MB), and its first thousand characters are all anyone read.
    DeliveryAttempt = apps.get_model("returns", "DeliveryAttempt")
    DeliveryAttempt.objects.annotate(length=Length("courier_note")).filter(
        length__gt=NOTE_MAX_LENGTH
    ).update(courier_note=Substr("courier_note", 1, NOTE_MAX_LENGTH))


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0008_lean_indexes"),
    ]

    operations = [
        migrations.RunPython(shorten_long_notes, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="deliveryattempt",
            name="courier_note",
            field=models.CharField(blank=True, max_length=NOTE_MAX_LENGTH),
        ),
    ]

from django.db import migrations, models

# The languages of settings.LANGUAGES when this migration was written.
LANGUAGES = [
    ("en", "English"),
    ("th", "ไทย"),
    ("id", "Bahasa Indonesia"),
    ("vi", "Tiếng Việt"),
    ("ms", "Bahasa Melayu"),
    ("zh-hans", "简体中文"),
]


def english_for_dropped_languages(apps, schema_editor):
    """German and French were listed but never translated: a seller set to one reads English."""
    Seller = apps.get_model("portal", "Seller")
    Seller.objects.exclude(language__in=[code for code, _name in LANGUAGES]).update(language="en")


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(english_for_dropped_languages, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="seller",
            name="language",
            field=models.CharField(choices=LANGUAGES, default="en", max_length=8),
        ),
    ]

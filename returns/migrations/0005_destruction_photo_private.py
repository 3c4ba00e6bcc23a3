"""Destruction photos move to private storage, under random names.

They were under MEDIA_ROOT, named after the package's public id; nothing
served them. From now on only `returns:destruction_photo` reads them, after
checking who asks. Photos already stored are moved across and renamed.
"""

from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import migrations, models

import portal.storage
import returns.models


def move_photos(apps, schema_editor) -> None:
    FailedPackage = apps.get_model("returns", "FailedPackage")
    public = FileSystemStorage(location=settings.MEDIA_ROOT)
    private = portal.storage.PrivateStorage()
    stored = FailedPackage.objects.exclude(destruction_photo="").values_list(
        "pk", "destruction_photo"
    )
    for pk, old_name in stored:
        if not public.exists(old_name):  # moved by an earlier run, or lost before it
            continue
        extension = PurePosixPath(old_name).suffix.lower()
        with public.open(old_name) as photo:
            new_name = private.save(portal.storage.random_name("destructions", extension), photo)
        FailedPackage.objects.filter(pk=pk).update(destruction_photo=new_name)
        public.delete(old_name)


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0004_seller_list_order"),
    ]

    operations = [
        migrations.AlterField(
            model_name="failedpackage",
            name="destruction_photo",
            field=models.FileField(
                blank=True,
                storage=portal.storage.PrivateStorage(),
                upload_to=returns.models.destruction_photo_name,
            ),
        ),
        # Backwards, the photos stay in private storage: they are moved back by hand, if ever.
        migrations.RunPython(move_photos, migrations.RunPython.noop),
    ]

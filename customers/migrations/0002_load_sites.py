from django.db import migrations

from customers.sites import SITES


def load_sites(apps, schema_editor):
    Site = apps.get_model("customers", "Site")
    for code, name, district, kind in SITES:
        Site.objects.update_or_create(
            code=code, defaults={"name": name, "district": district, "kind": kind, "country": "Lesotho", "currency": "LSL"}
        )


def unload_sites(apps, schema_editor):
    Site = apps.get_model("customers", "Site")
    Site.objects.filter(code__in=[code for code, *_ in SITES]).delete()


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [migrations.RunPython(load_sites, unload_sites)]

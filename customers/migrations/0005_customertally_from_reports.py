"""CustomerTally arrives from the reports app on its existing table (cc_customer_tally): state only, no schema
change. Its content type follows it."""

from django.db import migrations, models


def content_type_follow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="customers", model="customertally").exists():
        ContentType.objects.using(db).filter(app_label="reports", model="customertally").update(app_label="customers")


def content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="reports", model="customertally").exists():
        ContentType.objects.using(db).filter(app_label="customers", model="customertally").update(app_label="reports")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("customers", "0004_cell_phone_2_index"),
        ("reports", "0003_reading_hour"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CustomerTally",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("site_code", models.CharField(blank=True, default="", help_text="`Concession name` as stored", max_length=50)),
                        (
                            "connected_quarter",
                            models.DateField(help_text="first day of the quarter of `DATE SERVICE CONNECTED`, or NOT_YET"),
                        ),
                        ("terminated_on", models.DateField(help_text="`DATE SERVICE TERMINATED`, or NOT_YET")),
                        ("customers", models.BigIntegerField(default=0)),
                    ],
                    options={
                        "verbose_name": "customer tally (derived)",
                        "db_table": "cc_customer_tally",
                        "ordering": ["site_code", "connected_quarter", "terminated_on"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("site_code", "connected_quarter", "terminated_on"), name="cc_customer_tally_key"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_follow, content_type_back),
    ]

"""ImportRun arrives from the ccportal app on its existing table (cc_import_run): state only, no schema change.
Its content type follows it, so admin log entries about runs keep pointing at the model."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_type_follow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="datatools", model="importrun").exists():
        ContentType.objects.using(db).filter(app_label="ccportal", model="importrun").update(app_label="datatools")


def content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="ccportal", model="importrun").exists():
        ContentType.objects.using(db).filter(app_label="datatools", model="importrun").update(app_label="ccportal")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("ccportal", "0002_importrun_to_datatools"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ImportRun",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("source", models.CharField(help_text="The file, DSN or connection string read (no password).", max_length=500)),
                        ("source_label", models.CharField(blank=True, default="", help_text="What the operator chose.", max_length=255)),
                        ("dry_run", models.BooleanField(default=False)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("queued", "Queued"),
                                    ("running", "Running"),
                                    ("succeeded", "Succeeded"),
                                    ("failed", "Failed"),
                                    ("refused", "Refused"),
                                ],
                                db_index=True,
                                default="queued",
                                max_length=10,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("started_at", models.DateTimeField(blank=True, null=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("progress_table", models.CharField(blank=True, default="", max_length=100)),
                        ("progress_rows", models.PositiveBigIntegerField(default=0)),
                        ("counts", models.JSONField(blank=True, default=dict)),
                        ("errors", models.JSONField(blank=True, default=list)),
                        ("message", models.TextField(blank=True, default="")),
                        (
                            "started_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "cc_import_run",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_follow, content_type_back),
    ]

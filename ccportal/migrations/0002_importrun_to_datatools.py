"""ImportRun moves to the datatools app: the model leaves this app's state; its table (cc_import_run) stays."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("ccportal", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ImportRun")],
            database_operations=[],
        ),
    ]

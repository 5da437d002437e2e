"""CustomerTally moves to the customers app (customers 0005): the model leaves this app's state; its table
(cc_customer_tally) and rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_reading_hour"),
        ("customers", "0005_customertally_from_reports"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="CustomerTally")],
            database_operations=[],
        ),
    ]

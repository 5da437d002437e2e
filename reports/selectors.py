"""Read queries for reports and the dashboard; every aggregate runs in the database."""

from billing.models import AccountHistory
from customers.models import Customer, Site


def dashboard_counts():
    return {
        "customers": Customer.objects.count(),
        "sites": Site.objects.count(),
        "ledger_rows": AccountHistory.objects.count(),
    }

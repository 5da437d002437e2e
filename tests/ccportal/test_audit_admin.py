"""History is read-only in the admin: no historical model is registered, and a history entry cannot be posted."""

import pytest
from django.contrib import admin

from ccportal.history import history_save
from customers.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_no_historical_model_is_in_the_admin():
    registered = [model for model in admin.site._registry if getattr(model, "instance_type", None) is not None]
    assert registered == []


def test_a_history_entry_can_be_viewed_but_not_posted(admin_client, superadmin):
    customer = history_save(CustomerFactory.build(first_name="Palesa"), by=superadmin, reason="new")
    customer.first_name = "Lerato"
    history_save(customer, by=superadmin, reason="rename")
    first = customer.history.order_by("history_id").first()
    url = f"/admin/customers/customer/{customer.pk}/history/{first.history_id}/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"first_name": "Palesa", "last_name": "Mokoena"})
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.first_name == "Lerato"
    assert Customer.history.filter(customer_id=customer.pk).count() == 2


def test_import_runs_are_read_only_in_the_admin(admin_client):
    assert admin_client.get("/admin/datatools/importrun/").status_code == 200
    assert admin_client.get("/admin/datatools/importrun/add/").status_code == 403


def test_an_admin_edit_of_a_row_without_history_keeps_its_baseline(admin_client, superadmin):
    from decimal import Decimal

    from billing.models import Config
    from ccportal.history import BASELINE_REASON

    config = Config.objects.create(therate=Decimal("4.6000"))
    Config.history.all().delete()  # as a seeded row
    response = admin_client.post(f"/admin/billing/config/{config.pk}/change/", {"therate": "5.0000"})
    assert response.status_code == 302
    baseline, change = Config.history.order_by("history_id")
    assert (baseline.history_change_reason, baseline.therate) == (BASELINE_REASON, Decimal("4.6000"))
    assert (change.history_change_reason, change.therate, change.history_user) == (
        "Edited in Django admin",
        Decimal("5.0000"),
        superadmin,
    )

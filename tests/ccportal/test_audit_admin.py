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

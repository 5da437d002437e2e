"""Mutations: the audit trail across tables, its filters and diff, and the safe revert of each kind."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from billing.models import TariffRate
from ccportal.history import BASELINE_REASON, history_baseline, history_delete, history_save
from customers.models import Customer
from datatools import audit
from tests.factories import CustomerFactory, TariffRateFactory, aware

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(onm):
    created = CustomerFactory.build(first_name="Palesa", last_name="Mokoena")
    return history_save(created, by=onm, reason="New customer wizard")


def latest_entry(instance):
    return instance.history.order_by("-history_id").first()


def rename(customer, name, by, reason="Typo in the name"):
    customer.first_name = name
    return history_save(customer, by=by, reason=reason)


def test_it_lists_changes_across_tables_newest_first(customer, onm, superadmin):
    rename(customer, "Lerato", by=superadmin)
    history_save(TariffRateFactory.build(), by=superadmin, reason="New global rate")
    entries = [e for e in audit.mutation_list() if e["table"] != "cc_employee"]
    assert [e["table"] for e in entries[:3]] == ["cc_tariff_rate", "tblcustomer", "tblcustomer"]
    assert entries[1]["history_type"] == "~" and entries[1]["record"] == str(customer.pk)


def test_it_filters_by_table_employee_action_date_and_record(customer, onm, superadmin):
    rename(customer, "Lerato", by=superadmin)
    other = history_save(CustomerFactory.build(), by=superadmin, reason="x")
    assert {e["table"] for e in audit.mutation_list(table="tblcustomer")} == {"tblcustomer"}
    assert audit.mutation_list(table="nope").count() == 0
    assert audit.mutation_list(table="tblcustomer", employee=onm).count() == 1
    assert audit.mutation_list(table="tblcustomer", action="update").count() == 1
    assert audit.mutation_list(table="tblcustomer", record=str(other.pk)).count() == 1
    assert audit.mutation_list(record="not-a-number", table="tblcustomer").count() == 0
    assert audit.mutation_list(date_from=date(2000, 1, 1), date_to=date(2000, 1, 2)).count() == 0


def test_the_page_lists_and_filters(customer, generic_client, django_assert_max_num_queries):
    for _ in range(3):
        history_save(CustomerFactory.build(), by=None, reason="More rows, same number of queries")
    with django_assert_max_num_queries(10):
        response = generic_client.get(reverse("datatools:mutations"), {"action": "create"})
    assert response.status_code == 200
    assert b"New customer wizard" in response.content
    assert b"Details" not in response.content  # generic may not open the audit detail


def test_the_page_answers_htmx_with_rows_only(customer, onm_client):
    response = onm_client.get(reverse("datatools:mutations"), HTTP_HX_REQUEST="true")
    assert b"<h1>" not in response.content and b"New customer wizard" in response.content
    assert "HX-Request" in response["Vary"]


def test_bad_filters_do_not_crash(onm_client):
    response = onm_client.get(reverse("datatools:mutations"), {"table": "x'; DROP TABLE tblcustomer;--", "date_from": "soon"})
    assert response.status_code == 200
    assert Customer.objects.model._meta.db_table == "tblcustomer"


def test_the_detail_shows_old_and_new_values(customer, superadmin, finance_client):
    rename(customer, "Lerato", by=superadmin)
    entry = latest_entry(customer)
    response = finance_client.get(reverse("datatools:mutation", args=["tblcustomer", entry.history_id]))
    assert response.status_code == 200
    changes = [c for c in response.context["changes"] if c.changed]
    assert [(c.column, c.old, c.new) for c in changes] == [("FIRST NAME", "Palesa", "Lerato")]
    assert b"Revert this change" not in response.content  # finance may read but not revert


def test_generic_cannot_open_the_detail(customer, generic_client):
    entry = latest_entry(customer)
    assert generic_client.get(reverse("datatools:mutation", args=["tblcustomer", entry.history_id])).status_code == 403


def test_an_unknown_entry_or_table_is_404(onm_client):
    assert onm_client.get(reverse("datatools:mutation", args=["tblcustomer", 999999])).status_code == 404
    assert onm_client.get(reverse("datatools:mutation", args=["auth_user", 1])).status_code == 404


def test_reverting_an_update_restores_the_old_values(customer, onm, superadmin):
    rename(customer, "Lerato", by=superadmin)
    entry = latest_entry(customer)
    audit.mutation_revert(table="tblcustomer", history_id=entry.history_id, by=onm, reason="wrong customer")
    customer.refresh_from_db()
    assert customer.first_name == "Palesa"
    revert = latest_entry(customer)
    assert revert.history_user == onm and revert.history_type == "~"
    assert revert.history_change_reason.startswith(f"Revert of tblcustomer entry {entry.history_id}")
    assert revert.history_change_reason.endswith("wrong customer")
    assert audit.action_of(revert.history_type, revert.history_change_reason) == "revert"
    assert audit.mutation_list(action="revert").count() == 1


def test_reverting_a_create_deletes_the_record(customer, superadmin):
    entry = latest_entry(customer)
    audit.mutation_revert(table="tblcustomer", history_id=entry.history_id, by=superadmin)
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert Customer.history.filter(customer_id=customer.pk, history_type="-").get().history_user == superadmin


def test_reverting_a_delete_recreates_the_record(customer, superadmin):
    key = customer.pk
    history_delete(customer, by=superadmin, reason="Duplicate")
    entry = Customer.history.filter(customer_id=key).order_by("-history_id").first()
    audit.mutation_revert(table="tblcustomer", history_id=entry.history_id, by=superadmin)
    restored = Customer.objects.get(pk=key)
    assert restored.first_name == "Palesa" and restored.phone == customer.phone
    assert latest_entry(restored).history_type == "+"


def test_revert_is_refused_when_the_record_changed_since(customer, onm, superadmin):
    rename(customer, "Lerato", by=superadmin)
    first_change = latest_entry(customer)
    rename(customer, "Mpho", by=onm, reason="Second edit")
    with pytest.raises(audit.RevertRefused, match="changed after this entry"):
        audit.mutation_revert(table="tblcustomer", history_id=first_change.history_id, by=onm)
    customer.refresh_from_db()
    assert customer.first_name == "Mpho"


def test_revert_is_refused_when_the_record_changed_outside_the_trail(customer, onm):
    Customer.objects.filter(pk=customer.pk).update(first_name="Changed by SQL")
    with pytest.raises(audit.RevertRefused, match="outside the audit trail"):
        audit.mutation_revert(table="tblcustomer", history_id=latest_entry(customer).history_id, by=onm)


def test_revert_is_refused_when_other_records_depend_on_it(customer, onm):
    from tests.factories import MeterFactory

    MeterFactory(customer=customer)
    with pytest.raises(audit.RevertRefused, match="depend on it"):
        audit.mutation_revert(table="tblcustomer", history_id=latest_entry(customer).history_id, by=onm)
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_a_revert_can_itself_be_reverted(customer, onm, superadmin):
    rename(customer, "Lerato", by=superadmin)
    audit.mutation_revert(table="tblcustomer", history_id=latest_entry(customer).history_id, by=onm)
    audit.mutation_revert(table="tblcustomer", history_id=latest_entry(customer).history_id, by=onm)
    customer.refresh_from_db()
    assert customer.first_name == "Lerato"


def test_revert_works_on_other_tables(superadmin):
    rate = history_save(TariffRateFactory.build(), by=superadmin, reason="New global rate")
    audit.mutation_revert(table="cc_tariff_rate", history_id=latest_entry(rate).history_id, by=superadmin)
    assert not TariffRate.objects.exists()


def test_the_revert_view_for_onm_and_superadmin(customer, superadmin, onm_client):
    rename(customer, "Lerato", by=superadmin)
    entry = latest_entry(customer)
    url = reverse("datatools:mutation_revert", args=["tblcustomer", entry.history_id])
    response = onm_client.post(url, {"reason": "mistake"}, follow=True)
    assert b"Reverted." in response.content
    customer.refresh_from_db()
    assert customer.first_name == "Palesa"
    again = onm_client.post(url, follow=True)
    assert b"Not reverted" in again.content


@pytest.mark.parametrize("fixture", ["finance_client", "generic_client"])
def test_other_roles_cannot_revert(request, fixture, customer):
    client = request.getfixturevalue(fixture)
    entry = latest_entry(customer)
    response = client.post(reverse("datatools:mutation_revert", args=["tblcustomer", entry.history_id]))
    assert response.status_code == 403
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_revert_needs_post(customer, onm_client):
    url = reverse("datatools:mutation_revert", args=["tblcustomer", latest_entry(customer).history_id])
    assert onm_client.get(url).status_code == 405


def test_the_detail_offers_revert_only_on_the_latest_entry(customer, superadmin, onm_client):
    rename(customer, "Lerato", by=superadmin)
    older = customer.history.order_by("history_id").first()
    newest = latest_entry(customer)
    older_page = onm_client.get(reverse("datatools:mutation", args=["tblcustomer", older.history_id]))
    assert b"cannot be reverted on its own" in older_page.content and b"Revert this change" not in older_page.content
    assert b"Revert this change" in onm_client.get(reverse("datatools:mutation", args=["tblcustomer", newest.history_id])).content


def test_the_first_edit_of_a_row_without_history_diffs_against_a_baseline_and_reverts(onm, onm_client, superadmin):
    customer = CustomerFactory(first_name="Palesa")
    Customer.history.filter(customer_id=customer.pk).delete()  # as a row written by seed_demo or a restore
    customer = Customer.objects.get(pk=customer.pk)
    customer.first_name = "Lerato"
    history_save(customer, by=onm, reason="rename")
    baseline, entry = customer.history.order_by("history_id")
    assert (baseline.history_type, baseline.history_change_reason, baseline.first_name) == ("~", BASELINE_REASON, "Palesa")
    assert baseline.history_user is None and baseline.history_date < entry.history_date
    changed = [c for c in audit.mutation_changes("tblcustomer", entry) if c.changed]
    assert [(c.column, c.old, c.new) for c in changed] == [("FIRST NAME", "Palesa", "Lerato")]
    page = onm_client.get(reverse("datatools:mutation", args=["tblcustomer", entry.history_id]))
    assert b"No earlier entry exists" not in page.content and b"Revert this change" in page.content
    audit.mutation_revert(table="tblcustomer", history_id=entry.history_id, by=superadmin)
    assert Customer.objects.get(pk=customer.pk).first_name == "Palesa"
    baseline_page = onm_client.get(reverse("datatools:mutation", args=["tblcustomer", baseline.history_id]))
    assert b"Baseline of customer" in baseline_page.content and b"Revert this change" not in baseline_page.content


def test_the_baseline_test_is_one_query_and_none_once_the_instance_has_history(onm):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    customer = Customer.objects.get(pk=CustomerFactory().pk)  # has its "+" entry
    customer.first_name = "A"
    with CaptureQueriesContext(connection) as first:
        history_save(customer, by=onm, reason="one")
    customer.first_name = "B"
    with CaptureQueriesContext(connection) as second:  # this instance is known to have history now
        history_save(customer, by=onm, reason="two")
    extra = [q["sql"] for q in first.captured_queries if q["sql"] not in {p["sql"] for p in second.captured_queries}]
    assert len(first) == len(second) + 1 and "EXISTS" in extra[0], extra
    assert customer.history.count() == 3


def test_a_row_changed_in_sql_gets_its_baseline_before_the_update(onm):
    customer = CustomerFactory(first_name="Palesa")
    Customer.history.filter(customer_id=customer.pk).delete()
    history_baseline(Customer.objects.filter(pk=customer.pk))
    Customer.objects.filter(pk=customer.pk).update(first_name="Lerato")
    customer.refresh_from_db()
    history_save(customer, by=onm, reason="renamed in SQL", after_update=True)
    assert [h.first_name for h in customer.history.order_by("history_id")] == ["Palesa", "Lerato"]
    assert history_baseline(Customer.objects.filter(pk=customer.pk)) == 0  # never twice


def test_seeded_rows_get_a_true_first_diff_and_revert(onm):
    from datatools import demo

    demo.seed_demo(scale=0.01, today=date(2026, 6, 30))
    rate = TariffRate.objects.order_by("pk").first()
    assert not rate.history.exists()  # the seed writes no history
    before = rate.rate_lsl
    rate.rate_lsl = before + 1
    history_save(rate, by=onm, reason="raise")
    entry = latest_entry(rate)
    changes = {c.column: (c.old, c.new) for c in audit.mutation_changes("cc_tariff_rate", entry) if c.changed}
    assert changes == {"rate_lsl": (before, before + 1)}
    audit.mutation_revert(table="cc_tariff_rate", history_id=entry.history_id, by=onm)
    assert TariffRate.objects.get(pk=rate.pk).rate_lsl == before


def test_it_names_tables_plainly_and_labels_records_in_local_time(onm, onm_client):
    rate = history_save(
        TariffRateFactory.build(effective_from=aware(2027, 1, 1), rate_lsl=Decimal("5.0000")), by=onm, reason="New year rate"
    )
    assert str(rate).endswith("from 2027-01-01 00:00")  # midnight in Maseru, 22:00 the day before in UTC
    listing = onm_client.get(reverse("datatools:mutations")).content.decode()
    assert ">Tariff rate</td>" in listing and ">cc_tariff_rate</td>" not in listing
    assert '<option value="tblcustomer">Customer</option>' in listing
    entry = latest_entry(rate)
    detail = onm_client.get(reverse("datatools:mutation", args=["cc_tariff_rate", entry.history_id])).content.decode()
    assert "Create of tariff rate" in detail and "from 2027-01-01 00:00" in detail
    assert '<td class="new">2027-01-01 00:00</td>' in detail  # the effective date in the diff, local time too

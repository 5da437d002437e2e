"""Two processes each assigning 100 meters at one site end with 200 distinct account numbers (PostgreSQL)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from customers.models import AccountNumber, Meter, Site
from tests.factories import CustomerFactory

BASE = Path(__file__).resolve().parents[2]
PER_PROCESS = 100
ASSIGN = """
import os
from accounts.models import Employee
from customers.models import Customer
from customers.services import meter_assign
clerk = Employee.objects.get(employee_id=os.environ["CC_ASSIGN_CLERK"])
prefix, ids = os.environ["CC_ASSIGN_PREFIX"], [int(i) for i in os.environ["CC_ASSIGN_IDS"].split(",")]
for n, customer in enumerate(Customer.objects.filter(pk__in=ids).order_by("pk")):
    meter_assign(customer=customer, meterid=f"{prefix}-{n:04d}", site_code="MAK", customer_type="HH", by=clerk)
"""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_processes_assigning_100_meters_each_get_200_distinct_numbers(make_employee):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: two processes writing at once")
    # Transactional tests flush the sites loaded by the data migration: allocation queues on this row.
    Site.objects.update_or_create(code="MAK", defaults={"name": "Ha Makebe", "district": "Maseru"})
    clerk = make_employee("onm_team", employee_id="8802")
    customers = [CustomerFactory(site_code="MAK") for _ in range(2 * PER_PROCESS)]
    settings_dict = connection.settings_dict
    url = f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "true", "CC_TESTING": "true"}
    halves = [customers[:PER_PROCESS], customers[PER_PROCESS:]]
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", ASSIGN],
            cwd=BASE,
            env={
                **env,
                "CC_ASSIGN_CLERK": clerk.employee_id,
                "CC_ASSIGN_PREFIX": f"P{i}",
                "CC_ASSIGN_IDS": ",".join(str(c.pk) for c in half),
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i, half in enumerate(halves)
    ]
    outputs = [p.communicate(timeout=300) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    numbers = list(AccountNumber.objects.filter(community="MAK").values_list("accountnumber", flat=True))
    assert len(numbers) == len(set(numbers)) == 2 * PER_PROCESS
    assert sorted(numbers) == [f"{n:04d}MAK" for n in range(1, 2 * PER_PROCESS + 1)]
    assert Meter.objects.filter(community="MAK").count() == 2 * PER_PROCESS

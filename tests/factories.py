"""factory_boy factories for every model the tests build."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory

from accounts.models import Employee, Role
from billing.models import AccountHistory, TariffRate
from customers.models import AccountNumber, Customer, Meter, MeterReading

TZ = ZoneInfo("Africa/Maseru")
TEST_PASSWORD = "correct-horse-battery-9"


def aware(*args):
    return datetime(*args, tzinfo=TZ)


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee
        django_get_or_create = ("employee_id",)

    employee_id = factory.Sequence(lambda n: f"{5000 + n}")
    name = factory.Faker("name")
    email = factory.LazyAttribute(lambda o: f"{o.employee_id}@example.org")
    role = Role.GENERIC
    password = factory.django.Password(TEST_PASSWORD)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    first_name = factory.Sequence(lambda n: f"Palesa{n}")
    last_name = "Mokoena"
    phone = factory.Sequence(lambda n: f"+2665{n:07d}")
    site_code = "MAK"
    district = "Maseru"
    plot_number = factory.Sequence(lambda n: f"MAK {n:04d} HH")
    customer_type = "HH"
    date_service_connected = date(2024, 1, 15)
    national_id = factory.Sequence(lambda n: f"{100000000000 + n}")
    gender = "Female"
    country = "Lesotho"


class MeterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meter

    meterid = factory.Sequence(lambda n: f"SMRSD-24-{n:08d}")
    customer = factory.SubFactory(CustomerFactory)
    community = factory.LazyAttribute(lambda o: o.customer.site_code if o.customer else "MAK")
    customer_type = "HH"
    current_status = "active"


class AccountNumberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountNumber

    customer = factory.SubFactory(CustomerFactory)
    meter = factory.SubFactory(MeterFactory, customer=factory.SelfAttribute("..customer"))
    community = factory.LazyAttribute(lambda o: o.customer.site_code)
    accountnumber = factory.Sequence(lambda n: f"{n + 1:04d}MAK")


class LedgerRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountHistory

    accountnumber = "0001MAK"
    transaction_date = factory.LazyFunction(lambda: aware(2025, 1, 10, 12, 0))
    transaction_amount = Decimal("50.00")
    rate_used = Decimal("5.0000")
    kwh_value = Decimal("10.000")
    payment = True
    current_balance = Decimal("10.000")


class TariffRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TariffRate

    scope = TariffRate.Scope.GLOBAL
    scope_key = ""
    rate_lsl = Decimal("5.0000")
    effective_from = factory.LazyFunction(lambda: aware(2019, 1, 1))


class MeterReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeterReading

    meterid = "SMRSD-24-00000001"
    whdatetime = factory.LazyFunction(lambda: aware(2025, 1, 10, 18, 0))
    power_kw = Decimal("0.5000")
    community = "MAK"


def provider_signatory(name="Thato Signatory", by=None):
    """Set who signs contracts for the company (commissioning refuses while no one does)."""
    import io

    from PIL import Image, ImageDraw

    from contracts.services import provider_signatory_set

    image = Image.new("RGBA", (900, 300), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(60, 200), (200, 90), (330, 220), (600, 100), (840, 160)], fill=(20, 33, 61, 255), width=6)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return provider_signatory_set(
        name=name,
        title="Managing Director",
        title_st="Motsamaisi e Moholo",
        signature_png=buffer.getvalue(),
        by=by,
        reason="tests",
    )

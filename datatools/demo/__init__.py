"""Deterministic, realistic demo data for every table: sites' customers, meters, accounts, tariffs,
a ledger of payments and consumption with running balances, 10-minute readings and one employee per role.

Rows are generated customer by customer and written in batches, so memory stays flat at any scale."""

import io
import random
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction

from accounts.models import Employee, Role
from billing.models import AccountHistory, Config, TariffRate
from ccportal.rollup import rollups_rebuild
from contracts.models import ProviderSignatory
from contracts.services import provider_signatory_set
from customers.models import AccountNumber, Customer, Meter, MeterReading, Site
from datatools.demo.batches import Table, can_copy
from datatools.demo.population import (
    FIRST_NAMES_F,
    FIRST_NAMES_M,
    LAST_NAMES,
    SITE_COORDS,
    SITE_SHARE,
    SITE_START,
    TYPE_WEIGHTS,
    VEND_LSL,
    VILLAGES,
)
from datatools.demo.tariffs import half_even, half_up, month_last_day, rate_at, rate_steps, tariff_schedule

LEDGER_MONTHS = 25
READING_DAYS = 14
SLOTS_PER_DAY = 24 * 6  # 10-minute readings from local midnight (Lesotho keeps no daylight saving)
DEMO_PASSWORD = "cc-demo-2026!"
DEMO_EMPLOYEES = [
    ("1001", "Lineo Mokoena", Role.SUPERADMIN),
    ("1002", "Thabo Letsie", Role.ONM_TEAM),
    ("1003", "Palesa Mohapi", Role.FINANCE_TEAM),
    ("1004", "Tumelo Sekhesa", Role.GENERIC),
]


@dataclass
class SeedReport:
    customers: int = 0
    meters: int = 0
    accounts: int = 0
    ledger_rows: int = 0
    readings: int = 0
    tariffs: int = 0
    employees: list = field(default_factory=list)

    @property
    def total_rows(self):
        return self.customers + self.meters + self.accounts + self.ledger_rows + self.readings + self.tariffs


def _phone(rng):
    return f"+266{rng.choice('5656'):s}{rng.randint(0, 9999999):07d}"


def _load_shape(customer_type, hour):
    """Relative power by hour: households peak in the evening, businesses in the day."""
    if customer_type == "HH":
        return 0.15 + (0.9 if 18 <= hour <= 21 else 0.35 if 6 <= hour <= 8 else 0.1)
    return 0.1 + (0.8 if 8 <= hour <= 17 else 0.05)


def database_has_customers():
    return Customer.objects.exists()


@transaction.atomic
def clear_demo_data():
    """Empty every table the seed writes (for --force), children first.

    The ledger and the readings, which nothing references, go in one DELETE each (no per-row signals, so
    no history row per deleted ledger row: at scale 100 that is millions); the rest through the ORM so
    that other apps' relations are honoured."""
    for model in [MeterReading, AccountHistory]:
        model.objects.all()._raw_delete(connection.alias)
    rollups_rebuild()
    for model in [AccountNumber, Meter, Customer, TariffRate, Config]:
        model.objects.all().delete()
    for model in [AccountHistory, AccountNumber, Meter, Customer, TariffRate, Config]:
        model.history.model.objects.all()._raw_delete(connection.alias)


@transaction.atomic
def seed_demo(*, scale=1.0, seed=1, today=None, progress=None):
    """Write demo data at ``scale`` (1 = today's size) from random ``seed``; same inputs, same rows.

    Money, energy and rates are carried as integers (cents, Wh, 1/10,000 LSL) with the rounding of
    ccportal.units, so the rows are exactly those Decimal arithmetic gives, only faster to make."""
    rng = random.Random(seed)
    tz = ZoneInfo(settings.TIME_ZONE)
    # By default the data ends yesterday: a reading or payment later today would lie in the future, which
    # ccportal.bounds refuses and `manage.py check_data` reports.
    today = today or date.today() - timedelta(days=1)
    now = datetime.combine(today, time(12, 0), tzinfo=tz)
    report = SeedReport()
    say = progress or (lambda message: None)
    use_copy = can_copy()
    if use_copy:
        # COPY text: aware datetimes with their offset, dates in ISO form, NULL as \N.
        def moment(value):
            return value.isoformat()

        def date_value(value):
            return "\\N" if value is None else value.isoformat()

    else:
        moment = connection.ops.adapt_datetimefield_value
        date_value = connection.ops.adapt_datefield_value

    customers = Table(
        Customer,
        [
            "customer_id",
            "first_name",
            "middle_name",
            "last_name",
            "phone",
            "cell_phone_1",
            "cell_phone_2",
            "email",
            "plot_number",
            "street_address",
            "city",
            "district",
            "site_code",
            "date_service_connected",
            "date_service_terminated",
            "national_id",
            "customer_type",
            "gps_x",
            "gps_y",
            "gender",
            "country",
            "record_create_date",
            "record_created_by",
        ],
        use_copy=use_copy,
    )
    meters = Table(
        Meter,
        [
            "meterid",
            "customer",
            "accountnumber",
            "customer_type",
            "latitude",
            "longitude",
            "community",
            "village_name",
            "current_status",
            "customer_connect_date",
            "record_create_date",
            "record_created_by",
        ],
        use_copy=use_copy,
    )
    accounts = Table(
        AccountNumber, ["accountnumber", "customer", "meter", "community", "opened_date", "created_by"], use_copy=use_copy
    )
    ledger = Table(
        AccountHistory,
        [
            "id",
            "accountnumber",
            "meterid",
            "transaction_date",
            "transaction_amount",
            "rate_used",
            "kwh_value",
            "payment",
            "current_balance",
        ],
        use_copy=use_copy,
    )
    readings = Table(MeterReading, ["id", "meterid", "whdatetime", "power_kw", "community"], use_copy=use_copy)

    schedule = tariff_schedule(today, tz)
    sites = {s.code: s for s in Site.objects.all()}
    type_names = [t for t, _ in TYPE_WEIGHTS]
    type_weights = [w for _, w in TYPE_WEIGHTS]
    ledger_start = today - timedelta(days=LEDGER_MONTHS * 31)
    reading_start = datetime.combine(today - timedelta(days=READING_DAYS), time(0, 0), tzinfo=tz)
    # The 10-minute slots are the same for every meter that reports: work them out once.
    slots, slot = [], reading_start
    while slot < now:
        slots.append((moment(slot), slot.hour))
        slot += timedelta(minutes=10)
    one_day = timedelta(days=1)

    customer_id = 0
    ledger_id = 0
    reading_id = 0
    customer_overrides = []
    meter_ids = set()
    for code, share in SITE_SHARE.items():
        site = sites[code]
        rate_starts, rate_values = rate_steps(schedule, code)
        rate_texts = [f"{value / 10000:.4f}" for value in rate_values]
        count = max(1, round(share * scale))
        first_day = date(SITE_START[code], rng.randint(1, 6), 1)
        span = (today - first_day).days
        connections = sorted(first_day + timedelta(days=int(span * rng.random() ** 0.8)) for _ in range(count))
        lat0, lon0 = SITE_COORDS[code]
        for number, connected in enumerate(connections, start=1):
            customer_id += 1
            female = rng.random() < 0.52
            ctype = "HCF" if site.kind == "clinic" else rng.choices(type_names, type_weights)[0]
            ctype = "GOV" if ctype == "HCF" else ctype
            terminated = None
            if rng.random() < 0.05 and (today - connected).days > 60:
                terminated = connected + timedelta(days=rng.randint(30, (today - connected).days))
            plot = f"{code} {number:04d} {ctype}"
            lat, lon = lat0 + rng.uniform(-0.01, 0.01), lon0 + rng.uniform(-0.01, 0.01)
            created = moment(datetime.combine(connected, time(9, 0), tzinfo=tz))
            first_name = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
            middle_name = rng.choice(["", "", "", rng.choice(FIRST_NAMES_F + FIRST_NAMES_M)])
            last_name = rng.choice(LAST_NAMES)
            phone = _phone(rng)
            cell_phone_1 = _phone(rng) if rng.random() < 0.3 else ""
            city = rng.choice(VILLAGES) if code == "MAK" else site.name
            national_id = f"{rng.randint(10**11, 10**12 - 1)}"
            customers.add(
                (
                    customer_id,
                    first_name,
                    middle_name,
                    last_name,
                    phone,
                    cell_phone_1,
                    "",
                    "",
                    plot,
                    "",
                    city,
                    site.district,
                    code,
                    date_value(connected),
                    date_value(terminated),
                    national_id,
                    ctype,
                    round(lon, 6),
                    round(lat, 6),
                    "Female" if female else "Male",
                    "Lesotho",
                    created,
                    "seed_demo",
                )
            )
            report.customers += 1
            if ctype == "SCH" and rng.random() < 0.5:
                customer_overrides.append(
                    TariffRate(
                        scope="customer",
                        scope_key=str(customer_id),
                        rate_lsl=Decimal("4.2500"),
                        effective_from=datetime.combine(connected, time(0, 0), tzinfo=tz),
                        note="School tariff",
                    )
                )
            if rng.random() < 0.03:
                continue  # registered, no meter yet
            accountnumber = f"{number:04d}{code}"
            meterid = f"SMRSD-{connected:%y}-{rng.randint(10**7, 10**8 - 1)}"
            while meterid in meter_ids:  # serials are unique; a clash (only at large scales) draws again
                meterid = f"SMRSD-{connected:%y}-{rng.randint(10**7, 10**8 - 1)}"
            meter_ids.add(meterid)
            meters.add(
                (
                    meterid,
                    customer_id,
                    accountnumber,
                    ctype,
                    round(lat, 6),
                    round(lon, 6),
                    code,
                    site.name,
                    "terminated" if terminated else "active",
                    date_value(connected),
                    created,
                    "seed_demo",
                )
            )
            accounts.add(
                (
                    accountnumber,
                    customer_id,
                    meterid,
                    code,
                    moment(datetime.combine(connected, time(9, 30), tzinfo=tz)),
                    "seed_demo",
                )
            )
            report.meters += 1
            report.accounts += 1

            # The ledger: vends every one to three weeks, consumption summed at each month end. Only the
            # days with an event are visited (a vend, a month end, the last day); the others draw nothing.
            day = max(connected, ledger_start)
            end = min(terminated or today, today)
            balance = 0  # Wh (kWh to 3 places)
            low, high = VEND_LSL.get(ctype, (10, 80))
            month_use = 0  # 1/100,000 kWh (kWh × a 2-place factor)
            next_vend = day + timedelta(days=rng.randint(0, 10))
            while day <= end:
                month_end = month_last_day(day)
                day = min(next_vend, month_end, end)
                if day == next_vend:
                    when = datetime.combine(day, time(rng.randint(6, 20), rng.randint(0, 59)), tzinfo=tz)
                    step = bisect_right(rate_starts, when) - 1
                    rate_lsl = rate_values[step]
                    amount = rng.randint(low, high)
                    kwh = half_up(amount * 10_000_000, rate_lsl)
                    balance += kwh
                    ledger_id += 1
                    ledger.add(
                        (
                            ledger_id,
                            accountnumber,
                            meterid,
                            moment(when),
                            f"{amount}.00",
                            rate_texts[step],
                            f"{kwh / 1000:.3f}",
                            True,
                            f"{balance / 1000:.3f}",
                        )
                    )
                    month_use += kwh * round(round(rng.uniform(0.75, 1.0), 2) * 100)
                    next_vend = day + timedelta(days=rng.randint(7, 21))
                if day == month_end or day == end:
                    used = half_up(min(month_use, balance * 100), 100)
                    if used > 0:
                        when = datetime.combine(day, time(23, 50), tzinfo=tz)
                        step = bisect_right(rate_starts, when) - 1
                        balance -= used
                        ledger_id += 1
                        ledger.add(
                            (
                                ledger_id,
                                accountnumber,
                                meterid,
                                moment(when),
                                f"{-half_up(used * rate_values[step], 100_000) / 100:.2f}",
                                rate_texts[step],
                                f"{-used / 1000:.3f}",
                                False,
                                f"{balance / 1000:.3f}",
                            )
                        )
                    month_use = 0
                day += one_day
            report.ledger_rows = ledger_id

            # 10-minute readings for about one meter in fifty that is still connected.
            if terminated is None and rng.random() < 0.02:
                # Sized to what the customer buys (a vend of the mean amount every 14 days, 87.5% of it used),
                # so that the readings' kWh a day and the ledger's monthly consumption tell the same story.
                daily_kwh = (low + high) / 2 / (rate_values[-1] / 10_000) / 14 * 0.875
                mean_shape = sum(_load_shape(ctype, hour) for hour in range(24)) / 24
                peak = round(round(daily_kwh / (24 * mean_shape) * rng.uniform(0.7, 1.3), 3) * 1000)
                # Days differ too (weather, visitors, a business closed): a factor per day from the meter's own
                # random stream, so the other rows stay those of the same seed.
                day_rng = random.Random(f"{seed}-{meterid}")
                day_scale = [day_rng.uniform(0.6, 1.4) for _ in range(READING_DAYS + 1)]
                for i, (when, hour) in enumerate(slots):
                    that_day = day_scale[i // SLOTS_PER_DAY]
                    factor = round(round(_load_shape(ctype, hour) * rng.uniform(0.8, 1.2) * that_day, 3) * 1000)
                    reading_id += 1
                    readings.add((reading_id, meterid, when, f"{half_even(peak * factor, 100) / 10000:.4f}", code))
                report.readings = reading_id
        say(f"  {code}: {count} customers")
    for table in (customers, meters, accounts, ledger, readings):
        table.flush()
    rollups_rebuild()  # the rows went in through COPY/INSERT, past the rollups' signals
    TariffRate.objects.bulk_create(schedule + customer_overrides)
    report.tariffs = len(schedule) + len(customer_overrides)
    Config.objects.update_or_create(id=1, defaults={"therate": rate_at(schedule, "", now)})
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Customer, AccountHistory, MeterReading, Config]):
            cursor.execute(statement)

    for employee_id, name, role in DEMO_EMPLOYEES:
        employee = Employee.objects.filter(employee_id=employee_id).first()
        if employee is None:
            employee = Employee.objects.create_user(
                employee_id, DEMO_PASSWORD, name=name, role=role, email=f"{employee_id}@demo.1pwrafrica.com"
            )
        report.employees.append((employee_id, name, role))
    if not ProviderSignatory.objects.exists():
        provider_signatory_set(
            name="Mpho Letsie (demo)",
            title="Managing Director",
            title_st="Motsamaisi e Moholo",
            signature_png=_demo_signature_png(),
            by=Employee.objects.get(employee_id=DEMO_EMPLOYEES[0][0]),
            reason="Demo data: a made-up signatory for the demo contracts",
        )
    return report


def _demo_signature_png():
    """A scribble on a transparent 900 × 300 canvas, as the signature pad would send it."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (900, 300), (255, 255, 255, 0))
    ImageDraw.Draw(image).line(
        [(80, 210), (170, 90), (260, 220), (380, 70), (470, 200), (560, 120), (820, 150)], fill=(20, 33, 61, 255), width=7
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()

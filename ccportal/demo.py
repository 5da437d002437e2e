"""Deterministic, realistic demo data for every table: sites' customers, meters, accounts, tariffs,
a ledger of payments and consumption with running balances, 10-minute readings and one employee per role.

Rows are generated customer by customer and written in batches, so memory stays flat at any scale."""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction

from accounts.models import Employee, Role
from billing.models import AccountHistory, Config, TariffRate
from ccportal.units import energy, kwh_for_amount, money
from customers.models import AccountNumber, Customer, Meter, MeterReading, Site

FIRST_NAMES_F = [
    "Palesa",
    "Lineo",
    "Mpho",
    "Limpho",
    "Mamello",
    "Nthabiseng",
    "Refiloe",
    "Puleng",
    "Lerato",
    "Masechaba",
    "Keneuoe",
    "Teboho",
    "'Mathabo",
    "Relebohile",
    "Lipuo",
    "Nthati",
    "Mats'eliso",
    "Rethabile",
    "Tsepiso",
    "Bokang",
]
FIRST_NAMES_M = [
    "Thabo",
    "Tumelo",
    "Lehlohonolo",
    "Teboho",
    "Katleho",
    "Motlatsi",
    "Rets'elisitsoe",
    "Tsepo",
    "Mohau",
    "Lerato",
    "Sello",
    "Khotso",
    "Mpho",
    "Tlali",
    "Thato",
    "Moeketsi",
    "Neo",
    "Kananelo",
    "Bokang",
    "Lebohang",
]
LAST_NAMES = [
    "Mokoena",
    "Mohapi",
    "Letsie",
    "Moshoeshoe",
    "Ramakatane",
    "Sekhesa",
    "Mokhothu",
    "Nthako",
    "Lerotholi",
    "Makara",
    "Mofokeng",
    "Phafane",
    "Tau",
    "Seeiso",
    "Molapo",
    "Ntsekhe",
    "Khoabane",
    "Mahase",
    "Lebona",
    "Ts'oeu",
    "Motsamai",
    "Ramoholi",
    "Sehloho",
    "Matela",
    "Mokhele",
    "Nkuebe",
    "Pitso",
    "Thamae",
    "Lepheana",
    "Makhetha",
]
VILLAGES = [
    "Ha Makebe",
    "Ha Mafa",
    "Ha Rantsimane",
    "Ha Sekhobe",
    "Ha Thabo",
    "Ha Moshe",
    "Ha Lesia",
    "Ha Ramochele",
    "Ha Tsepo",
    "Ha Mokhethi",
    "Ha Nqosa",
    "Ha Seeiso",
]
# Customers per site at scale 1 (about 1,400 in all; each clinic site is one to three connections).
SITE_SHARE = {
    "MAK": 230,
    "MAS": 150,
    "SHG": 140,
    "LEB": 120,
    "SEH": 110,
    "MAT": 120,
    "TLH": 95,
    "TOS": 110,
    "SEB": 100,
    "RIB": 95,
    "KET": 120,
    "NKU": 3,
    "MET": 2,
    "BOB": 3,
    "MAN": 2,
}
SITE_START = {
    "MAK": 2019,
    "MAS": 2019,
    "SHG": 2020,
    "LEB": 2020,
    "SEH": 2021,
    "MAT": 2020,
    "TLH": 2021,
    "TOS": 2021,
    "SEB": 2022,
    "RIB": 2022,
    "KET": 2022,
    "NKU": 2019,
    "MET": 2020,
    "BOB": 2020,
    "MAN": 2021,
}
SITE_COORDS = {
    "MAK": (-29.43, 27.65),
    "MAS": (-29.66, 28.79),
    "SHG": (-29.81, 28.57),
    "LEB": (-30.18, 28.86),
    "SEH": (-29.88, 29.12),
    "MAT": (-29.05, 28.92),
    "TLH": (-29.04, 29.09),
    "TOS": (-30.29, 28.16),
    "SEB": (-30.12, 28.03),
    "RIB": (-29.74, 27.50),
    "KET": (-29.97, 27.93),
    "NKU": (-29.52, 27.79),
    "MET": (-29.59, 28.62),
    "BOB": (-29.50, 28.69),
    "MAN": (-29.68, 28.70),
}
TYPE_WEIGHTS = [("HH", 85), ("SME", 7), ("CHU", 2), ("SCH", 2), ("GOV", 1.5), ("COM", 1.5), ("SCP", 0.5), ("IND", 0.5)]
# Typical vend size (LSL) by customer type: (low, high).
VEND_LSL = {
    "HH": (10, 80),
    "SME": (50, 300),
    "CHU": (20, 120),
    "SCH": (50, 250),
    "GOV": (100, 400),
    "COM": (80, 350),
    "SCP": (20, 150),
    "IND": (200, 800),
}
SITE_RATES = {"MAK": "4.60", "MAS": "5.40", "SHG": "5.40", "TLH": "5.60", "MAT": "5.60"}
LEDGER_MONTHS = 25
READING_DAYS = 14
DEMO_PASSWORD = "cc-demo-2026!"
DEMO_EMPLOYEES = [
    ("1001", "Lineo Mokoena", Role.SUPERADMIN),
    ("1002", "Thabo Letsie", Role.ONM_TEAM),
    ("1003", "Palesa Mohapi", Role.FINANCE_TEAM),
    ("1004", "Tumelo Sekhesa", Role.GENERIC),
]
BATCH = 5000


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


class _Writer:
    """Buffers model instances per table and bulk-inserts them in batches."""

    def __init__(self):
        self.buffers = {}

    def add(self, obj):
        buffer = self.buffers.setdefault(type(obj), [])
        buffer.append(obj)
        if len(buffer) >= BATCH:
            self.flush(type(obj))

    def flush(self, model=None):
        for m in [model] if model else [Customer, Meter, AccountNumber, AccountHistory, MeterReading]:
            rows = self.buffers.get(m)
            if rows:
                m.objects.bulk_create(rows, batch_size=BATCH)
                rows.clear()


def _tariff_schedule(today, tz):
    """Global 5.00 from 2019, a CPI step to 5.30 in July 2025, site rates, a few customer rates later."""
    start = datetime(2019, 1, 1, tzinfo=tz)
    rows = [
        TariffRate(scope="global", scope_key="", rate_lsl=Decimal("5.0000"), effective_from=start, note="Launch tariff"),
        TariffRate(
            scope="global",
            scope_key="",
            rate_lsl=Decimal("5.3000"),
            effective_from=datetime(2025, 7, 1, tzinfo=tz),
            note="CPI adjustment 2025",
        ),
    ]
    for code, rate_lsl in SITE_RATES.items():
        rows.append(
            TariffRate(scope="site", scope_key=code, rate_lsl=Decimal(rate_lsl), effective_from=start, note="Site tariff")
        )
    return rows


def _rate_at(schedule, site_code, when):
    """Site rate, else global rate, in force at ``when`` (mirrors billing.selectors.tariff_rate_for)."""
    best = {}
    for row in schedule:
        if row.effective_from <= when and (row.scope == "global" or row.scope_key == site_code):
            if row.scope not in best or row.effective_from > best[row.scope].effective_from:
                best[row.scope] = row
    return (best.get("site") or best["global"]).rate_lsl


def _phone(rng):
    return f"+266{rng.choice('5656'):s}{rng.randint(0, 9999999):07d}"


def _load_shape(customer_type, hour):
    """Relative power by hour: households peak in the evening, businesses in the day."""
    if customer_type == "HH":
        return 0.15 + (0.9 if 18 <= hour <= 21 else 0.35 if 6 <= hour <= 8 else 0.1)
    return 0.1 + (0.8 if 8 <= hour <= 17 else 0.05)


def database_has_customers():
    return Customer.objects.exists()


def clear_demo_data():
    """Empty every table the seed writes (for --force), children first."""
    for model in [MeterReading, AccountHistory, AccountNumber, Meter, Customer, TariffRate, Config]:
        model.objects.all().delete()
    for model in [AccountHistory, AccountNumber, Meter, Customer, TariffRate, Config]:
        model.history.model.objects.all().delete()


@transaction.atomic
def seed_demo(*, scale=1.0, seed=1, today=None, progress=None):
    """Write demo data at ``scale`` (1 = today's size) from random ``seed``; same inputs, same rows."""
    rng = random.Random(seed)
    tz = ZoneInfo(settings.TIME_ZONE)
    today = today or date.today()
    now = datetime.combine(today, time(12, 0), tzinfo=tz)
    report = SeedReport()
    writer = _Writer()
    say = progress or (lambda message: None)

    schedule = _tariff_schedule(today, tz)
    sites = {s.code: s for s in Site.objects.all()}
    type_names = [t for t, _ in TYPE_WEIGHTS]
    type_weights = [w for _, w in TYPE_WEIGHTS]
    ledger_start = today - timedelta(days=LEDGER_MONTHS * 31)
    reading_start = datetime.combine(today - timedelta(days=READING_DAYS), time(0, 0), tzinfo=tz)

    customer_id = 0
    ledger_id = 0
    reading_id = 0
    customer_overrides = []
    for code, share in SITE_SHARE.items():
        site = sites[code]
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
            writer.add(
                Customer(
                    customer_id=customer_id,
                    first_name=rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M),
                    middle_name=rng.choice(["", "", "", rng.choice(FIRST_NAMES_F + FIRST_NAMES_M)]),
                    last_name=rng.choice(LAST_NAMES),
                    phone=_phone(rng),
                    cell_phone_1=_phone(rng) if rng.random() < 0.3 else "",
                    plot_number=plot,
                    street_address="",
                    city=rng.choice(VILLAGES) if code == "MAK" else site.name,
                    district=site.district,
                    site_code=code,
                    date_service_connected=connected,
                    date_service_terminated=terminated,
                    national_id=f"{rng.randint(10**11, 10**12 - 1)}",
                    customer_type=ctype,
                    gps_x=round(lon, 6),
                    gps_y=round(lat, 6),
                    gender="Female" if female else "Male",
                    country="Lesotho",
                    record_create_date=datetime.combine(connected, time(9, 0), tzinfo=tz),
                    record_created_by="seed_demo",
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
            writer.add(
                Meter(
                    meterid=meterid,
                    customer_id=customer_id,
                    accountnumber=accountnumber,
                    customer_type=ctype,
                    latitude=round(lat, 6),
                    longitude=round(lon, 6),
                    community=code,
                    village_name=site.name,
                    current_status="terminated" if terminated else "active",
                    customer_connect_date=connected,
                    record_create_date=datetime.combine(connected, time(9, 0), tzinfo=tz),
                    record_created_by="seed_demo",
                )
            )
            writer.add(
                AccountNumber(
                    accountnumber=accountnumber,
                    customer_id=customer_id,
                    meter_id=meterid,
                    community=code,
                    opened_date=datetime.combine(connected, time(9, 30), tzinfo=tz),
                    created_by="seed_demo",
                )
            )
            report.meters += 1
            report.accounts += 1

            # The ledger: vends every one to three weeks, consumption summed at each month end.
            day = max(connected, ledger_start)
            end = min(terminated or today, today)
            balance = Decimal("0.000")
            low, high = VEND_LSL.get(ctype, (10, 80))
            month_use = Decimal("0.000")
            next_vend = day + timedelta(days=rng.randint(0, 10))
            while day <= end:
                if day == next_vend:
                    when = datetime.combine(day, time(rng.randint(6, 20), rng.randint(0, 59)), tzinfo=tz)
                    rate_lsl = _rate_at(schedule, code, when)
                    amount = money(rng.randint(low, high))
                    kwh = kwh_for_amount(amount, rate_lsl)
                    balance = energy(balance + kwh)
                    ledger_id += 1
                    writer.add(
                        AccountHistory(
                            id=ledger_id,
                            accountnumber=accountnumber,
                            meterid=meterid,
                            transaction_date=when,
                            transaction_amount=amount,
                            rate_used=rate_lsl,
                            kwh_value=kwh,
                            payment=True,
                            current_balance=balance,
                        )
                    )
                    month_use += kwh * Decimal(str(round(rng.uniform(0.75, 1.0), 2)))
                    next_vend = day + timedelta(days=rng.randint(7, 21))
                tomorrow = day + timedelta(days=1)
                if tomorrow.month != day.month or day == end:
                    used = energy(min(month_use, balance))
                    if used > 0:
                        when = datetime.combine(day, time(23, 50), tzinfo=tz)
                        rate_lsl = _rate_at(schedule, code, when)
                        balance = energy(balance - used)
                        ledger_id += 1
                        writer.add(
                            AccountHistory(
                                id=ledger_id,
                                accountnumber=accountnumber,
                                meterid=meterid,
                                transaction_date=when,
                                transaction_amount=-money(used * rate_lsl),
                                rate_used=rate_lsl,
                                kwh_value=-used,
                                payment=False,
                                current_balance=balance,
                            )
                        )
                    month_use = Decimal("0.000")
                day = tomorrow
            report.ledger_rows = ledger_id

            # 10-minute readings for about one meter in fifty that is still connected.
            if terminated is None and rng.random() < 0.02:
                peak = Decimal(str(round(rng.uniform(0.2, 1.2) if ctype == "HH" else rng.uniform(1, 4), 3)))
                slot = reading_start
                while slot < now:
                    factor = Decimal(str(round(_load_shape(ctype, slot.hour) * rng.uniform(0.8, 1.2), 3)))
                    reading_id += 1
                    writer.add(
                        MeterReading(
                            id=reading_id,
                            meterid=meterid,
                            whdatetime=slot,
                            power_kw=(peak * factor).quantize(Decimal("0.0001")),
                            community=code,
                        )
                    )
                    slot += timedelta(minutes=10)
                report.readings = reading_id
        say(f"  {code}: {count} customers")
    writer.flush()
    TariffRate.objects.bulk_create(schedule + customer_overrides)
    report.tariffs = len(schedule) + len(customer_overrides)
    Config.objects.update_or_create(id=1, defaults={"therate": _rate_at(schedule, "", now)})
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
    return report

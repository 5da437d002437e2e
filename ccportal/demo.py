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
BATCH = 20000


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


class _Table:
    """Rows (tuples of database-ready values, in ``fields`` order) for one table, written in batches:
    COPY on PostgreSQL, a portable executemany INSERT elsewhere (SQLite, SQL Server)."""

    def __init__(self, model, fields, *, use_copy):
        self.model = model
        self.columns = [model._meta.get_field(name).column for name in fields]
        self.rows = []
        self.written = 0
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        column_list = ", ".join(quote(column) for column in self.columns)
        self.copy_sql = f"COPY {table} ({column_list}) FROM STDIN" if use_copy else None
        self.insert_sql = f"INSERT INTO {table} ({column_list}) VALUES ({', '.join(['%s'] * len(self.columns))})"

    def add(self, row):
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self):
        if not self.rows:
            return
        with connection.cursor() as cursor:
            if self.copy_sql:
                # COPY's text format, built here: every value is already text with no tab, newline or
                # backslash in it (NULL is already "\\N"), and str(True) is a valid boolean.
                text = "\n".join(["\t".join(map(str, row)) for row in self.rows]) + "\n"
                with cursor.cursor.copy(self.copy_sql) as copy:
                    copy.write(text.encode())
            else:
                cursor.executemany(self.insert_sql, self.rows)
        self.written += len(self.rows)
        self.rows = []


def _can_copy():
    """PostgreSQL through psycopg 3 takes COPY FROM STDIN; every other database (or psycopg2) gets INSERTs."""
    if connection.vendor != "postgresql":
        return False
    connection.ensure_connection()
    return type(connection.connection).__module__.split(".")[0] == "psycopg"


def _rate_steps(schedule, site_code):
    """The tariff in force for ``site_code`` as a step function: (start times, rates in 1/10,000 LSL)."""
    starts = sorted({row.effective_from for row in schedule if row.scope == "global" or row.scope_key == site_code})
    return starts, [int(_rate_at(schedule, site_code, start) * 10000) for start in starts]


def _month_end(day):
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _half_up(numerator, denominator):
    """numerator / denominator rounded half up, for non-negative integers."""
    return (2 * numerator + denominator) // (2 * denominator)


def _half_even(numerator, denominator):
    quotient, remainder = divmod(numerator, denominator)
    if 2 * remainder > denominator or (2 * remainder == denominator and quotient % 2):
        quotient += 1
    return quotient


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
    today = today or date.today()
    now = datetime.combine(today, time(12, 0), tzinfo=tz)
    report = SeedReport()
    say = progress or (lambda message: None)
    use_copy = _can_copy()
    if use_copy:
        # COPY text: aware datetimes with their offset, dates in ISO form, NULL as \N.
        def moment(value):
            return value.isoformat()

        def date_value(value):
            return "\\N" if value is None else value.isoformat()

    else:
        moment = connection.ops.adapt_datetimefield_value
        date_value = connection.ops.adapt_datefield_value

    customers = _Table(
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
    meters = _Table(
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
    accounts = _Table(
        AccountNumber, ["accountnumber", "customer", "meter", "community", "opened_date", "created_by"], use_copy=use_copy
    )
    ledger = _Table(
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
    readings = _Table(MeterReading, ["id", "meterid", "whdatetime", "power_kw", "community"], use_copy=use_copy)

    schedule = _tariff_schedule(today, tz)
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
        rate_starts, rate_values = _rate_steps(schedule, code)
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
                month_end = _month_end(day)
                day = min(next_vend, month_end, end)
                if day == next_vend:
                    when = datetime.combine(day, time(rng.randint(6, 20), rng.randint(0, 59)), tzinfo=tz)
                    step = bisect_right(rate_starts, when) - 1
                    rate_lsl = rate_values[step]
                    amount = rng.randint(low, high)
                    kwh = _half_up(amount * 10_000_000, rate_lsl)
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
                    used = _half_up(min(month_use, balance * 100), 100)
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
                                f"{-_half_up(used * rate_values[step], 100_000) / 100:.2f}",
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
                peak = round(round(rng.uniform(0.2, 1.2) if ctype == "HH" else rng.uniform(1, 4), 3) * 1000)
                for when, hour in slots:
                    factor = round(round(_load_shape(ctype, hour) * rng.uniform(0.8, 1.2), 3) * 1000)
                    reading_id += 1
                    readings.add((reading_id, meterid, when, f"{_half_even(peak * factor, 100) / 10000:.4f}", code))
                report.readings = reading_id
        say(f"  {code}: {count} customers")
    for table in (customers, meters, accounts, ledger, readings):
        table.flush()
    rollups_rebuild()  # the rows went in through COPY/INSERT, past the rollups' signals
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

"""Sites, customers, meters, accounts and meter readings, on ACDB's own tables and columns; the customer tally
(a derived count of customers per site, quarter of connection and day of termination)."""

from datetime import date

from django.db import models
from django.db.models import F, Func
from django.db.models.functions import Reverse, Upper
from simple_history.models import HistoricalRecords

from ccportal import bounds
from ccportal.data_quality import PlausibleRangesModel
from ccportal.display import datetime_text

PHONE_SEPARATORS = (" ", "-", "(", ")", ".")


class WithoutCharacter(Func):
    """REPLACE(expression, 'c', '') with the character written into the SQL rather than bound as a
    parameter, so a query's expression is the index's own text (SQLite only matches an index on an
    expression written identically). The character is one of PHONE_SEPARATORS, never user input."""

    function = "REPLACE"
    output_field = models.CharField()

    def __init__(self, expression, character):
        if character not in PHONE_SEPARATORS:
            raise ValueError(f"not a phone separator: {character!r}")
        self.character = character
        super().__init__(expression)

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"REPLACE({sql}, '{self.character}', '')", params


class CodePointOrder(Func):
    """``expression`` collated in code point order (byte order of UTF-8) whatever the database's collation, so
    that ``prefix <= value < next prefix`` means exactly "starts with" and needs no LIKE beside it: an extra LIKE
    made PostgreSQL multiply two estimates of the same condition, guess a common surname thirty times too rare
    and sort every match instead of walking the primary key (bench/RESULTS.md). The indexes on the name
    columns are on this same expression."""

    output_field = models.CharField()
    COLLATIONS = {"postgresql": '"C"', "sqlite": "BINARY", "microsoft": "Latin1_General_100_BIN2"}

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        collation = self.COLLATIONS.get(connection.vendor)
        return (f"{sql} COLLATE {collation}" if collation else sql), params


def name_key(field):
    """What the customer search compares a name column with: upper case, in code point order."""
    return CodePointOrder(Upper(field))


def phone_digits_reversed(field):
    """A phone column without the spaces, dashes, brackets and dots it may be stored with, reversed: "ends
    with these digits" becomes a prefix, which an index on this same expression serves."""
    digits = F(field)
    for character in PHONE_SEPARATORS:
        digits = WithoutCharacter(digits, character)
    return Reverse(digits)


class Site(models.Model):
    """A minigrid or clinic site; its 3-letter code is what ACDB stores in `Concession name` and `community`."""

    class Kind(models.TextChoices):
        MINIGRID = "minigrid", "Minigrid"
        CLINIC = "clinic", "Clinic"

    code = models.CharField(max_length=3, primary_key=True)
    name = models.CharField(max_length=80)
    district = models.CharField(max_length=80, blank=True)
    country = models.CharField(max_length=40, default="Lesotho")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MINIGRID)
    currency = models.CharField(max_length=3, default="LSL")

    history = HistoricalRecords()

    class Meta:
        db_table = "cc_site"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class CustomerType(models.TextChoices):
    HH = "HH", "Household"
    SME = "SME", "Small business"
    CHU = "CHU", "Church"
    SCP = "SCP", "Secondary / community project"
    SCH = "SCH", "School"
    GOV = "GOV", "Government"
    COM = "COM", "Commercial"
    IND = "IND", "Industrial"


class Customer(PlausibleRangesModel, models.Model):
    """`tblcustomer`: the master customer record."""

    customer_id = models.AutoField("customer ID", primary_key=True, db_column="CUSTOMER ID")
    first_name = models.CharField(max_length=100, db_column="FIRST NAME", db_index=True)
    middle_name = models.CharField(max_length=100, blank=True, default="", db_column="MIDDLE NAME")
    last_name = models.CharField(max_length=100, blank=True, default="", db_column="LAST NAME", db_index=True)
    phone = models.CharField(max_length=20, blank=True, default="", db_column="PHONE", db_index=True)
    cell_phone_1 = models.CharField(max_length=20, blank=True, default="", db_column="CELL PHONE 1", db_index=True)
    cell_phone_2 = models.CharField(max_length=20, blank=True, default="", db_column="CELL PHONE 2", db_index=True)
    email = models.CharField(max_length=254, blank=True, default="", db_column="EMAIL")
    plot_number = models.CharField(max_length=50, blank=True, default="", db_column="PLOT NUMBER", db_index=True)
    street_address = models.CharField(max_length=200, blank=True, default="", db_column="STREET ADDRESS")
    city = models.CharField("village / city", max_length=100, blank=True, default="", db_column="CITY")
    district = models.CharField(max_length=80, blank=True, default="", db_column="DISTRICT")
    site_code = models.CharField("site", max_length=50, blank=True, default="", db_column="Concession name", db_index=True)
    date_service_connected = models.DateField(null=True, blank=True, db_column="DATE SERVICE CONNECTED", db_index=True)
    date_service_terminated = models.DateField(null=True, blank=True, db_column="DATE SERVICE TERMINATED")
    national_id = models.CharField("national ID", max_length=50, blank=True, default="", db_column="ID NUMBER", db_index=True)
    customer_type = models.CharField(
        max_length=20, blank=True, default="", choices=CustomerType.choices, db_column="CUSTOMER POSITION", db_index=True
    )
    gps_x = models.FloatField("longitude", null=True, blank=True, db_column="GPS X")
    gps_y = models.FloatField("latitude", null=True, blank=True, db_column="GPS Y")
    gender = models.CharField(max_length=10, blank=True, default="", db_column="GENDER")
    country = models.CharField(max_length=40, blank=True, default="Lesotho", db_column="COUNTRY")
    record_create_date = models.DateTimeField(null=True, blank=True, db_column="RECORD CREATE DATE")
    record_created_by = models.CharField(max_length=100, blank=True, default="", db_column="RECORD CREATED BY")

    history = HistoricalRecords()

    plausible_ranges = {"gps_x": bounds.LONGITUDE, "gps_y": bounds.LATITUDE}

    class Meta:
        db_table = "tblcustomer"
        ordering = ["customer_id"]
        indexes = [
            models.Index(fields=["site_code", "date_service_connected"], name="tblcustomer_site_conn"),
            # The list's search (customers.selectors.customer_search_filter) matches prefixes of these
            # expressions. Expression indexes exist on PostgreSQL and SQLite; SQL Server skips them.
            models.Index(name_key("first_name"), name="tblcustomer_first_key"),
            models.Index(name_key("middle_name"), name="tblcustomer_middle_key"),
            models.Index(name_key("last_name"), name="tblcustomer_last_key"),
            models.Index(Upper("plot_number"), name="tblcustomer_plot_upper"),
            models.Index(Upper("national_id"), name="tblcustomer_natid_upper"),
            models.Index(phone_digits_reversed("phone"), name="tblcustomer_phone_rev"),
            models.Index(phone_digits_reversed("cell_phone_1"), name="tblcustomer_cell1_rev"),
            models.Index(phone_digits_reversed("cell_phone_2"), name="tblcustomer_cell2_rev"),
        ]

    def __str__(self):
        return f"{self.customer_id} {self.full_name}"

    @property
    def full_name(self):
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)

    @property
    def is_terminated(self):
        return self.date_service_terminated is not None


class Meter(PlausibleRangesModel, models.Model):
    """`tblmeter`: one row per meter serial (ACDB's `Copy Of tblmeter` is merged into it on import)."""

    meterid = models.CharField("meter serial", max_length=50, primary_key=True, db_column="meterid")
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, db_column="customer id", related_name="meters"
    )
    accountnumber = models.CharField(max_length=10, blank=True, default="", db_column="accountnumber", db_index=True)
    customer_type = models.CharField(max_length=20, blank=True, default="", db_column="customer type", db_index=True)
    latitude = models.FloatField(null=True, blank=True, db_column="latitude")
    longitude = models.FloatField(null=True, blank=True, db_column="longitude")
    community = models.CharField("site", max_length=50, blank=True, default="", db_column="community", db_index=True)
    village_name = models.CharField(max_length=100, blank=True, default="", db_column="Village name")
    current_status = models.CharField(max_length=30, blank=True, default="", db_column="current status")
    customer_connect_date = models.DateField(null=True, blank=True, db_column="customer connect date")
    record_create_date = models.DateTimeField(null=True, blank=True, db_column="RECORD CREATE DATE")
    record_created_by = models.CharField(max_length=100, blank=True, default="", db_column="RECORD CREATED BY")

    history = HistoricalRecords()

    plausible_ranges = {"latitude": bounds.LATITUDE, "longitude": bounds.LONGITUDE}

    class Meta:
        db_table = "tblmeter"
        ordering = ["meterid"]
        indexes = [models.Index(Upper("meterid"), name="tblmeter_meterid_upper")]

    def __str__(self):
        return self.meterid


class AccountNumber(PlausibleRangesModel, models.Model):
    """`tblaccountnumbers`: account number (`NNNNSSS`) to customer and meter."""

    accountnumber = models.CharField("account number", max_length=10, primary_key=True, db_column="accountnumber")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, db_column="customerid", related_name="accounts")
    meter = models.ForeignKey(
        Meter, null=True, blank=True, on_delete=models.PROTECT, db_column="meterid", related_name="accounts"
    )
    community = models.CharField("site", max_length=50, blank=True, default="", db_column="community", db_index=True)
    opened_date = models.DateTimeField(null=True, blank=True, db_column="opened date")
    created_by = models.CharField(max_length=100, blank=True, default="", db_column="created by")

    history = HistoricalRecords()

    class Meta:
        db_table = "tblaccountnumbers"
        ordering = ["accountnumber"]

    def __str__(self):
        return self.accountnumber

    @property
    def site_code(self):
        return self.accountnumber[-3:]


class MeterReading(PlausibleRangesModel, models.Model):
    """`tblmeterdata1`: 10-minute power readings per meter, for load profiles (machine-written, no history)."""

    id = models.BigAutoField(primary_key=True, db_column="ID")
    meterid = models.CharField(max_length=50, db_column="meterid")
    whdatetime = models.DateTimeField(db_column="whdatetime")
    power_kw = models.DecimalField(max_digits=12, decimal_places=4, db_column="powerkW")
    community = models.CharField(max_length=50, blank=True, default="", db_column="community")

    plausible_ranges = {"whdatetime": bounds.EVENT, "power_kw": bounds.POWER_KW}

    class Meta:
        db_table = "tblmeterdata1"
        indexes = [
            models.Index(fields=["meterid", "whdatetime"], name="tblmeterdata1_meter_time"),
            models.Index(fields=["community", "whdatetime"], name="tblmeterdata1_site_time"),
        ]

    def __str__(self):
        return f"{self.meterid} {datetime_text(self.whdatetime)} {self.power_kw} kW"


class CustomerTally(models.Model):
    """How many customers each site has per quarter of connection and day of termination: a derived table kept
    equal to `tblcustomer` by customers.rollup, so that the customer counts of reports (on record, active in a
    quarter, new in a quarter, terminated) read a few thousand cells instead of every customer.

    "Not connected" and "not terminated" are stored as NOT_YET (9999-12-31), which every "on or before" test
    reads correctly and which, unlike NULL, a unique constraint compares as equal on every database."""

    NOT_YET = date.max

    site_code = models.CharField(max_length=50, blank=True, default="", help_text="`Concession name` as stored")
    connected_quarter = models.DateField(help_text="first day of the quarter of `DATE SERVICE CONNECTED`, or NOT_YET")
    terminated_on = models.DateField(help_text="`DATE SERVICE TERMINATED`, or NOT_YET")
    customers = models.BigIntegerField(default=0)

    plausible_ranges = {"connected_quarter": None, "terminated_on": None}  # derived; NOT_YET is 9999-12-31

    class Meta:
        db_table = "cc_customer_tally"
        ordering = ["site_code", "connected_quarter", "terminated_on"]
        verbose_name = "customer tally (derived)"
        constraints = [
            models.UniqueConstraint(fields=["site_code", "connected_quarter", "terminated_on"], name="cc_customer_tally_key")
        ]

    def __str__(self):
        return f"{self.site_code or '(no site)'} {self.connected_quarter} / {self.terminated_on}: {self.customers}"

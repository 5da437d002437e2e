"""Portal rows built from ACDB source rows, table by table (a rejected value raises values.RowRejected)."""

from decimal import Decimal

from billing.models import AccountHistory
from ccportal import bounds, units
from customers.models import AccountNumber, Customer, Meter, MeterReading
from datatools.acdb import values


class SourceRow(dict):
    """A source row whose columns are found whatever their case (Access does not care; neither do we)."""

    def get(self, column, default=None):
        return super().get(column.lower(), default)


def lower_keys(row):
    return SourceRow((str(k).strip().lower(), v) for k, v in row.items())


def customer_from(row):
    return Customer(
        customer_id=values.integer(row, "CUSTOMER ID", required=True),
        first_name=values.text(row, "FIRST NAME", 100),
        middle_name=values.text(row, "MIDDLE NAME", 100),
        last_name=values.text(row, "LAST NAME", 100),
        phone=values.phone(row, "PHONE"),
        cell_phone_1=values.phone(row, "CELL PHONE 1"),
        cell_phone_2=values.phone(row, "CELL PHONE 2"),
        email=values.text(row, "EMAIL", 254),
        plot_number=values.text(row, "PLOT NUMBER", 50),
        street_address=values.text(row, "STREET ADDRESS", 200),
        city=values.text(row, "CITY", 100),
        district=values.text(row, "DISTRICT", 80),
        site_code=values.text(row, "Concession name", 50).upper(),
        date_service_connected=values.day(row, "DATE SERVICE CONNECTED"),
        date_service_terminated=values.day(row, "DATE SERVICE TERMINATED"),
        national_id=values.text(row, "ID NUMBER", 50),
        customer_type=values.text(row, "CUSTOMER POSITION", 20).upper(),
        gps_x=values.floating(row, "GPS X"),
        gps_y=values.floating(row, "GPS Y"),
        gender=values.text(row, "GENDER", 10),
        country=values.text(row, "COUNTRY", 40),
        record_create_date=values.moment(row, "RECORD CREATE DATE"),
        record_created_by=values.text(row, "RECORD CREATED BY", 100),
    )


def meter_from(row):
    return Meter(
        meterid=values.text(row, "meterid", 50, required=True),
        customer_id=values.integer(row, "customer id"),
        accountnumber=values.account(row, "accountnumber", required=False),
        customer_type=values.text(row, "customer type", 20).upper(),
        latitude=values.floating(row, "latitude"),
        longitude=values.floating(row, "longitude"),
        community=values.text(row, "community", 50).upper(),
        village_name=values.text(row, "Village name", 100),
        current_status=values.text(row, "current status", 30),
        customer_connect_date=values.day(row, "customer connect date"),
        record_create_date=values.moment(row, "RECORD CREATE DATE"),
        record_created_by=values.text(row, "RECORD CREATED BY", 100),
    )


def account_from(row):
    return AccountNumber(
        accountnumber=values.account(row, "accountnumber"),
        customer_id=values.integer(row, "customerid", required=True),
        meter_id=values.text(row, "meterid", 50) or None,
        community=values.text(row, "community", 50).upper(),
        opened_date=values.moment(row, "opened date"),
        created_by=values.text(row, "created by", 100),
    )


def ledger_from(row):
    return AccountHistory(
        id=values.integer(row, "ID", required=True),
        accountnumber=values.account(row, "accountnumber"),
        meterid=values.text(row, "meterid", 50),
        transaction_date=values.moment(row, "transaction date", required=True, within=bounds.EVENT),
        transaction_amount=values.number(
            row, "transaction amount", units.money, default=units.money(0), within=bounds.MONEY_SIGNED
        ),
        rate_used=values.number(row, "rate used", units.rate, max_digits=10, within=bounds.RATE_OR_ZERO),
        kwh_value=values.number(row, "kwh value", units.energy, default=units.energy(0), within=bounds.KWH_SIGNED),
        payment=values.yes_no(row, "payment"),
        current_balance=values.number(row, "current balance", units.energy),
    )


def ledger_key(obj):
    """What makes two ledger rows the same transaction, whatever their IDs (for tblaccounthistoryOriginal)."""
    return (obj.accountnumber, obj.transaction_date, obj.transaction_amount, obj.kwh_value, obj.payment)


def reading_from(row):
    return MeterReading(
        meterid=values.text(row, "meterid", 50, required=True),
        whdatetime=values.moment(row, "whdatetime", required=True, within=bounds.EVENT),
        power_kw=values.number(row, "powerkW", lambda v: v.quantize(Decimal("0.0001")), max_digits=12, required=True),
        community=values.text(row, "community", 50).upper(),
    )

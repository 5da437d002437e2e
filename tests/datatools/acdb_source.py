"""Build an ACDB-shaped database file (ACDB's table and column names, Access-like types and quirks) that the
real reader opens through pyodbc and the SQLite ODBC driver (Debian package libsqliteodbc)."""

import sqlite3

CUSTOMER_COLUMNS = {
    "CUSTOMER ID": "INTEGER",
    "FIRST NAME": "TEXT",
    "MIDDLE NAME": "TEXT",
    "LAST NAME": "TEXT",
    "PHONE": "INTEGER",  # ACDB stores phones as integers
    "CELL PHONE 1": "INTEGER",
    "CELL PHONE 2": "INTEGER",
    "EMAIL": "TEXT",
    "PLOT NUMBER": "TEXT",
    "STREET ADDRESS": "TEXT",
    "CITY": "TEXT",
    "DISTRICT": "TEXT",
    "Concession name": "TEXT",
    "DATE SERVICE CONNECTED": "DATETIME",
    "DATE SERVICE TERMINATED": "DATETIME",
    "ID NUMBER": "TEXT",
    "CUSTOMER POSITION": "TEXT",
    "GPS X": "TEXT",  # numbers that come back as text
    "GPS Y": "TEXT",
    "GENDER": "TEXT",
    "COUNTRY": "TEXT",
    "RECORD CREATE DATE": "DATETIME",
    "RECORD CREATED BY": "TEXT",
}
METER_COLUMNS = {
    "meterid": "TEXT",
    "customer id": "TEXT",
    "accountnumber": "TEXT",
    "customer type": "TEXT",
    "latitude": "DOUBLE",
    "longitude": "DOUBLE",
    "community": "TEXT",
    "Village name": "TEXT",
    "current status": "TEXT",
    "customer connect date": "DATETIME",
    "RECORD CREATE DATE": "DATETIME",
    "RECORD CREATED BY": "TEXT",
}
ACCOUNT_COLUMNS = {
    "accountnumber": "TEXT",
    "customerid": "INTEGER",
    "meterid": "TEXT",
    "community": "TEXT",
    "opened date": "DATETIME",
    "created by": "TEXT",
}
LEDGER_COLUMNS = {
    "ID": "INTEGER",
    "accountnumber": "TEXT",
    "meterid": "TEXT",
    "transaction date": "DATETIME",
    "transaction amount": "TEXT",  # MDBTools hands some numbers back as text
    "rate used": "TEXT",
    "kwh value": "TEXT",
    "payment": "INTEGER",  # Access yes/no: -1 / 0
    "current balance": "TEXT",
}
SCHEMA = {
    "tblcustomer": CUSTOMER_COLUMNS,
    "tblmeter": METER_COLUMNS,
    "Copy Of tblmeter": METER_COLUMNS,
    "tblaccountnumbers": ACCOUNT_COLUMNS,
    "tblaccounthistory1": LEDGER_COLUMNS,
    "tblaccounthistoryOriginal": LEDGER_COLUMNS,
    "tblconfig": {"therate": "TEXT"},
    "tblmeterdata1": {"meterid": "TEXT", "whdatetime": "DATETIME", "powerkW": "TEXT", "community": "TEXT"},
    "tblbilling": {"ID": "INTEGER", "note": "TEXT"},  # a table the import does not read
}


def customer(customer_id, **values):
    row = {
        "CUSTOMER ID": customer_id,
        "FIRST NAME": f"Palesa{customer_id}",
        "LAST NAME": "Mokoena",
        "PHONE": 57755400 + customer_id,
        "PLOT NUMBER": f"MAK {customer_id:04d} HH",
        "Concession name": "MAK",
        "DISTRICT": "Maseru",
        "DATE SERVICE CONNECTED": "2023-05-01 00:00:00",
        "CUSTOMER POSITION": "HH",
        "GPS X": "27.8512",
        "GPS Y": "-29.4301",
        "COUNTRY": "Lesotho",
    }
    row.update(values)
    return row


def standard_tables():
    """A small ACDB: 3 customers, meters split over tblmeter and Copy Of tblmeter, accounts, a ledger."""
    return {
        "tblcustomer": [customer(1), customer(2, **{"CELL PHONE 1": 58001122}), customer(3, **{"Concession name": "mas"})],
        "Copy Of tblmeter": [
            {"meterid": "SMRSD-01", "customer id": "1", "accountnumber": "MAK0001", "community": "MAK", "customer type": "HH"},
            {"meterid": "SMRSD-02", "customer id": "2", "accountnumber": "0002MAK", "community": "MAK", "Village name": ""},
        ],
        "tblmeter": [
            {"meterid": "SMRSD-02", "customer id": "2", "Village name": "Ha Makebe", "current status": "active"},
            {"meterid": "SMRSD-03", "customer id": "3", "accountnumber": "mas 3", "community": "MAS"},
        ],
        "tblaccountnumbers": [
            {"accountnumber": "0001MAK", "customerid": 1, "meterid": "SMRSD-01", "community": "MAK"},
            {"accountnumber": "MAK0002", "customerid": 2, "meterid": "SMRSD-02", "community": "MAK"},
            {"accountnumber": "0003MAS", "customerid": 3, "meterid": "SMRSD-03", "community": "MAS"},
        ],
        "tblaccounthistory1": [
            ledger(1, "0001MAK", "2024-01-10 12:00:00", "50", "10", -1),
            ledger(2, "0002MAK", "2024-01-11 09:30:00", "25.5", "5.1", -1),
            ledger(3, "0099KET", "2019-03-01 08:00:00", "10", "2", -1),  # legacy: no such account
        ],
        "tblaccounthistoryOriginal": [
            ledger(1, "0001MAK", "2024-01-10 12:00:00", "50", "10", -1),  # already in tblaccounthistory1
            ledger(900, "0001MAK", "2018-06-01 10:00:00", "20", "4", -1),  # only in the full history
        ],
        "tblconfig": [{"therate": "5"}],
        "tblmeterdata1": [
            {"meterid": "SMRSD-01", "whdatetime": "2024-01-10 18:00:00", "powerkW": "0.5", "community": "MAK"},
            {"meterid": "SMRSD-01", "whdatetime": "2024-01-10 18:10:00", "powerkW": "0.45", "community": "MAK"},
        ],
    }


def ledger(row_id, account, when, amount, kwh, payment, rate="5", balance=None):
    return {
        "ID": row_id,
        "accountnumber": account,
        "meterid": "",
        "transaction date": when,
        "transaction amount": amount,
        "rate used": rate,
        "kwh value": kwh,
        "payment": payment,
        "current balance": balance,
    }


def build_acdb(path, tables=None, schema=None):
    """Write an ACDB-shaped SQLite file at ``path``; return the ODBC connection string the reader takes."""
    schema = schema or SCHEMA
    tables = standard_tables() if tables is None else tables
    with sqlite3.connect(path) as db:
        for name, columns in schema.items():
            cols = ", ".join(f'"{c}" {t}' for c, t in columns.items())
            db.execute(f'CREATE TABLE "{name}" ({cols})')
            for row in tables.get(name, []):
                names = ", ".join(f'"{c}"' for c in row)
                db.execute(f'INSERT INTO "{name}" ({names}) VALUES ({", ".join("?" for _ in row)})', list(row.values()))
    db.close()
    return odbc(path)


def odbc(path):
    return f"DRIVER={{SQLite3}};Database={path}"

"""Reading forwarded confirmation SMS: every layout of each provider's table, account spellings, texts that are not
payments, and hostile texts (no database)."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.payment_sms import TEMPLATES, sms_read, text_problem

NOW = timezone.make_aware(datetime(2026, 4, 16, 10, 0))


def read(text, sender="M-PESA"):
    return sms_read(sender=sender, text=text, received_at=NOW)


# (sender, text, template, provider, receipt, amount, payer phone, first account candidate, paid at)
PAYMENTS = [
    (
        "M-PESA",
        "TJK9XYZ1A2 Confirmed. on 15/4/2026 at 9:00 AM\nM125.50 received from 26650123456. New M-Pesa balance is "
        "M500.00.\nReference: 987654321\nRemark: 0252 SHG electricity",
        "M-Pesa confirmation",
        "mpesa",
        "TJK9XYZ1A2",
        "125.50",
        "+26650123456",
        "0252SHG",
        datetime(2026, 4, 15, 9, 0),
    ),
    (
        "M-PESA",
        "ABC1CONF12 Confirmed. on 16/4/2026 at 12:05 AM M50.00 received from 26650111111. Reference: 111 Remark:0252SHG bill",
        "M-Pesa confirmation",
        "mpesa",
        "ABC1CONF12",
        "50.00",
        "+26650111111",
        "0252SHG",
        datetime(2026, 4, 16, 0, 5),
    ),
    (  # no Remark, the account in the Reference line, thousands separator, payer name
        "MPESA",
        "TEST000001 Confirmed. on 15/4/26 at 12:50 PM M13,390.74 received from 26653716557 - JOHN DOE. Reference: 0001MAT",
        "M-Pesa confirmation",
        "mpesa",
        "TEST000001",
        "13390.74",
        "+26653716557",
        "0001MAT",
        datetime(2026, 4, 15, 12, 50),
    ),
    (  # neither Reference nor Remark line
        "M-PESA",
        "QWE4RTY5UI Confirmed. on 16/4/2026 at 8:30 AM M1,000.00 received from 26657000001. New M-Pesa balance is M9.00.",
        "M-Pesa confirmation",
        "mpesa",
        "QWE4RTY5UI",
        "1000.00",
        "+26657000001",
        None,
        datetime(2026, 4, 16, 8, 30),
    ),
    (  # a date the first layout does not read: the payment's time is when the gateway received it
        "M-PESA",
        "ZXC9VBN8MM Confirmed. on 2026-04-16 09:10 M20.00 received from 26657000001. Remark: MAK 45",
        "M-Pesa confirmation, other date",
        "mpesa",
        "ZXC9VBN8MM",
        "20.00",
        "+26657000001",
        "0045MAK",
        None,
    ),
    (
        "199",
        "You have received M25 from Tiisetso Lebotho-62205631 for 0118mat. Approval Code: MP260416.0953.A96450. "
        "New wallet balance: M64525.0.",
        "EcoCash you have received",
        "ecocash",
        "MP260416.0953.A96450",
        "25.00",
        "+26662205631",
        "0118MAT",
        datetime(2026, 4, 16, 9, 53),
    ),
    (  # the same broken over lines, and the account written "MAK 45"
        "199",
        "You have received M25\nfrom Tiisetso Lebotho-62205631\nfor MAK 45. Approval Code:\nMP260416.0953.A96451. New\n"
        "wallet balance: M64525.0.",
        "EcoCash you have received",
        "ecocash",
        "MP260416.0953.A96451",
        "25.00",
        "+26662205631",
        "0045MAK",
        datetime(2026, 4, 16, 9, 53),
    ),
    (
        "",
        "ECO1TXN2 Confirmed. on 14/4/2026 at 10:00 AM\nEcoCash: M150.00 received from 26650123456. New balance M400.00.\n"
        "Reference: 1122334455\nRemark: 0045 MAT electricity",
        "EcoCash confirmation",
        "ecocash",
        "ECO1TXN2",
        "150.00",
        "+26650123456",
        "0045MAT",
        datetime(2026, 4, 14, 10, 0),
    ),
    (
        "199",
        "ECO9TXN9 Confirmed. M60.00 received from 26650123456. Remark: 0045MAK",
        "EcoCash confirmation, other date",
        "ecocash",
        "ECO9TXN9",
        "60.00",
        "+26650123456",
        "0045MAK",
        None,
    ),
    (
        "",
        "EcoCash: M80.00 received from 26650999999. Ref 998877. Remark: 1234MAT",
        "EcoCash received",
        "ecocash",
        "998877",
        "80.00",
        "+26650999999",
        "1234MAT",
        None,
    ),
    (  # "Econet" branding, a spaced phone
        "",
        "Econet: M1,015.00 received from 266 50 998 877. Approval Code: MP260416.0900.B00001. Remark: 0200mat",
        "EcoCash received",
        "ecocash",
        "MP260416.0900.B00001",
        "1015.00",
        "+26650998877",
        "0200MAT",
        datetime(2026, 4, 16, 9, 0),
    ),
    (
        "199",
        "M25.00 received from 26650111111. Transaction ID: ECX55512. For 0045MAK",
        "EcoCash received, unbranded",
        "ecocash",
        "ECX55512",
        "25.00",
        "+26650111111",
        "0045MAK",
        None,
    ),
]


@pytest.mark.parametrize("sender, text, template, provider, receipt, amount, phone, account, paid_at", PAYMENTS)
def test_it_reads_every_layout(sender, text, template, provider, receipt, amount, phone, account, paid_at):
    reading = read(text, sender)
    assert (reading.status, reading.template, reading.provider) == ("payment", template, provider), reading.note
    row = reading.row
    assert (row.receipt, row.amount, row.payer_phone) == (receipt, Decimal(amount), phone)
    assert (row.account_candidates[:1] or [None])[0] == account
    assert row.paid_at == (timezone.make_aware(paid_at) if paid_at else NOW)


def test_every_template_of_the_tables_is_exercised():
    used = {reading.template for reading in (read(t, s) for s, t, *_ in PAYMENTS)}
    assert used == {template.name for templates in TEMPLATES.values() for template in templates}


@pytest.mark.parametrize("spelling", ["0045MAK", "0045mak", "45 MAK", "MAK 45", "mak-45", "MAK0045"])
def test_it_reads_every_account_spelling(spelling):
    reading = read(f"You have received M10 from A B-57000001 for {spelling}. Approval Code: MP260416.0900.C1.", "199")
    assert reading.row.account_candidates[0] == "0045MAK"


def test_the_payer_name_and_phone_of_an_ecocash_text():
    reading = read(PAYMENTS[5][1], "199")
    assert (reading.row.payer_name, reading.row.payer_phone) == ("Tiisetso Lebotho", "+26662205631")


def test_a_text_date_far_from_the_gateway_time_is_not_believed():
    reading = read("TJK9XYZ1A2 Confirmed. on 1/1/2020 at 9:00 AM M10.00 received from 26650123456.")
    assert reading.row.paid_at == NOW


@pytest.mark.parametrize(
    "text, note",
    [
        ("Your M-Pesa balance is M500.00. Thank you for using M-Pesa.", "balance notice"),
        ("Dear customer, your EcoCash wallet balance is M64,525.00.", "balance notice"),
        ("Win M10,000 in the M-Pesa promotion! Dial *200# now.", "promotion"),
        ("Congratulations! You have won 50 bonus points.", "promotion"),
        ("XYZ1234567 Confirmed. M50.00 sent to 26650000000 on 1/4/2026 at 9:00 AM.", "money sent"),
        ("XYZ1234567 Confirmed. You bought M10.00 of airtime.", "purchase"),
        ("Transaction TJK9XYZ1A2 of M50.00 received from 26650123456 has been reversed.", "reversal"),
        ("Failed. M50.00 received from 26650123456 could not be completed.", "failed transaction"),
        ("Hello, please call me back", "not a payment confirmation"),
    ],
)
def test_texts_that_are_not_payments_are_ignored(text, note):
    reading = read(text)
    assert (reading.status, reading.note, reading.row) == ("ignored", note, None)


@pytest.mark.parametrize(
    "text, why",
    [
        ("TJK9XYZ1A2 Confirmed. on 14/4/2026 at 9:00 AM M1e30 received from 26650123456.", "no known layout"),
        ("TJK9XYZ1A2 Confirmed. on 14/4/2026 at 9:00 AM M999999999.00 received from 26650123456.", "outside"),
        ("TJK9XYZ1A2 Confirmed. on 14/4/2026 at 9:00 AM M0.00 received from 26650123456.", "outside"),
        ("M25.00 received from 26650111111. Reference 42", "no receipt"),  # from 199: a receipt it cannot trust
        ("You have received M25 from someone for 0118mat.", "no known layout"),
        ("TJK9XYZ1A2 Confirmed. M" + "9" * 5000 + " received from 26650123456.", "no known layout"),
    ],
    ids=["exponent", "huge", "zero", "no receipt", "no approval code", "5000 digits"],
)
def test_hostile_or_incomplete_payment_texts_are_unreadable(text, why):
    reading = read(text, "199" if "Reference 42" in text else "M-PESA")
    assert reading.status == "unreadable" and why in reading.note


def test_a_long_text_of_repeated_phrases_is_read_quickly():
    """No pattern backtracks badly: the longest allowed text of near-matches reads in well under a second."""
    import time

    text = ("M1 received from 2665 " * 80)[:1600]
    started = time.perf_counter()
    read(text)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    "text, problem",
    [
        ("ok", None),
        ("line one\nline two\ttab\r\n", None),
        ("M50.00 received\x00", "control characters"),
        ("M50.00 \x1b[31m received", "control characters"),
        ("pay \u202e0045MAK", "control characters"),
        ("x" * 1601, "longer than 1600 characters"),
    ],
)
def test_text_problems(text, problem):
    assert text_problem(text) == (problem and next(p for p in [text_problem(text)] if p and problem in p))

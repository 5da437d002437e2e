"""Reading forwarded M-Pesa and EcoCash confirmation SMS into statement rows (billing.statements.StatementRow),
so that the intake matches and posts them exactly as statement rows; no database access here.

Each provider has a table of the layouts its confirmations come in (the templates 1PWR's current portal has met
in Lesotho), tried in order; a text no template reads is either not a payment (ignored) or looks like one and is
kept for a person (unreadable)."""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from billing.models import Provider
from billing.statements import StatementRow, account_candidates, phone_in_text, receipt_read
from ccportal import bounds
from ccportal.normalize import NormalisationError, control_characters_found, phone_normalise
from ccportal.units import money

# M50.00, M 1,000.00, M13,390.74; at most 9 digits before the point, so "M1e30" or a 400-digit number never read.
_AMOUNT = r"M\s?(?P<amount>\d{1,3}(?:,\d{3}){1,3}(?:\.\d{1,2})?|\d{1,9}(?:\.\d{1,2})?)(?![\d.,]*\d)"
# 26650123456, +266 50 111 222, 266-5011-1222, optionally followed by " - NAME"
_PAYER_PHONE = r"(?P<payer>\+?\d[\d \u00a0-]{6,18}\d)(?:\s*-\s*(?P<name>[A-Za-z][A-Za-z .'-]{0,60}?)(?=\s*(?:[.,\n]|$)))?"
_RECEIPT_WORD = r"(?P<receipt>[A-Z0-9]{6,20})"
_WHEN = r"on\s+(?P<date>\d{1,2}/\d{1,2}/\d{2,4})\s+at\s+(?P<time>\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?)"
_BRAND = r"(?:(?:EcoCash|Econet)\s*:?\s*)"


@dataclass(frozen=True)
class SmsTemplate:
    """One layout of a provider's confirmation: a pattern with named groups (amount always; receipt, payer,
    name, date, time, account when the layout has them)."""

    name: str
    pattern: re.Pattern


def _template(name, pattern):
    return SmsTemplate(name, re.compile(pattern, re.IGNORECASE | re.DOTALL))


TEMPLATES = {
    Provider.MPESA: [
        # "TJK9XYZ1A2 Confirmed. on 10/4/2026 at 9:00 AM M125.50 received from 26650123456. New M-Pesa balance is
        # M500.00. Reference: 987654321 Remark: 0252 SHG" (the Reference and Remark lines are optional)
        _template(
            "M-Pesa confirmation", rf"\b{_RECEIPT_WORD}\s+Confirmed\.?\s+{_WHEN}\s+{_AMOUNT}\s+received\s+from\s+{_PAYER_PHONE}"
        ),
        # the same with a date the layout above does not read ("on 2026-04-10 09:00" or none)
        _template(
            "M-Pesa confirmation, other date",
            rf"\b{_RECEIPT_WORD}\s+Confirmed\.?\s+(?:on\s+[^\n]{{1,40}}?\s+)?{_AMOUNT}\s+received\s+from\s+{_PAYER_PHONE}",
        ),
    ],
    Provider.ECOCASH: [
        # "You have received M25 from Tiisetso Lebotho-62205631 for 0118mat. Approval Code: MP260416.0953.A96450.
        # New wallet balance: M64525.0." (short code 199; also broken over several lines)
        _template(
            "EcoCash you have received",
            rf"You\s+have\s+received\s+{_AMOUNT}\s+from\s+(?P<from>[^\n]{{1,100}}?)\s+for\s+(?P<account>[^\n]{{1,40}}?)\s*\.\s+"
            r"Approval\s+Code\s*:\s*(?P<receipt>[A-Z0-9][A-Z0-9._-]{3,39})",
        ),
        # "ECO1TXN2 Confirmed. on 14/4/2026 at 10:00 AM EcoCash: M150.00 received from 26650123456. ..."
        _template(
            "EcoCash confirmation",
            rf"\b{_RECEIPT_WORD}\s+Confirmed\.?\s+{_WHEN}\s+{_BRAND}?{_AMOUNT}\s+received\s+from\s+{_PAYER_PHONE}",
        ),
        _template(
            "EcoCash confirmation, other date",
            rf"\b{_RECEIPT_WORD}\s+Confirmed\.?\s+(?:on\s+[^\n]{{1,40}}?\s+)?{_BRAND}?{_AMOUNT}\s+received\s+from\s+{_PAYER_PHONE}",
        ),
        # "EcoCash: M80.00 received from 26650999999. Ref 998877. Remark: 1234MAT" (also "Econet:"; the receipt is
        # the approval code, transaction ID or reference written after it)
        _template("EcoCash received", rf"{_BRAND}{_AMOUNT}\s+received\s+from\s+{_PAYER_PHONE}"),
        # short code 199 without the brand: "M25.00 received from 26650111111. Approval Code: ..."
        _template("EcoCash received, unbranded", rf"(?<![\w.]){_AMOUNT}\s+received\s+from\s+{_PAYER_PHONE}"),
    ],
}
# Where a layout has no receipt of its own, the first of these written in the text (EcoCash only: an M-Pesa
# "Reference" is what the payer typed, often the account number).
_RECEIPT_LINES = [
    re.compile(r"Approval\s*Code\s*:?\s*(?P<receipt>[A-Z0-9][A-Z0-9._-]{3,39})", re.IGNORECASE),
    re.compile(r"(?:Transaction|Txn)\s*ID\s*[:#]?\s*(?P<receipt>[A-Z0-9][A-Z0-9._-]{3,39})", re.IGNORECASE),
    re.compile(r"\b(?:Reference|Ref)\b\.?\s*[:#]?\s*(?P<receipt>[A-Z0-9][A-Z0-9._-]{3,39})", re.IGNORECASE),
]
# Lines that may carry the account number, in the order they are trusted.
_ACCOUNT_LINES = [
    re.compile(r"Remark\s*:\s*(?P<text>[^\n]{1,120})", re.IGNORECASE),
    re.compile(r"Reference\s*:\s*(?P<text>[^\n]{1,60}?)(?=\s+Remark\b|\s*\n|\s*$)", re.IGNORECASE),
]
# Texts that are never a payment, whatever else they say: checked before the templates.
_NEVER_PAYMENTS = [
    ("reversal", re.compile(r"\brevers(?:ed|al)\b", re.IGNORECASE)),
    ("failed transaction", re.compile(r"\b(?:failed|declined|cancell?ed|unsuccessful|insufficient)\b", re.IGNORECASE)),
]
# Texts that are not payments, named for the record: checked when no template reads the text.
_NOT_PAYMENTS = [
    ("money sent", re.compile(r"\b(?:sent\s+to|paid\s+to|transferred\s+to|withdrawn?|withdrawal|cash\s*out)\b", re.I)),
    ("purchase", re.compile(r"\b(?:bought|airtime|bundle)\b", re.IGNORECASE)),
    ("balance notice", re.compile(r"\bbalance\b", re.IGNORECASE)),
    ("promotion", re.compile(r"\b(?:promo\w*|win|won|bonus|offer|congratulations|dial|free|points)\b", re.IGNORECASE)),
]
# A text that says money was received but that no template reads: kept as unreadable for a person to look at.
_LOOKS_LIKE_PAYMENT = (re.compile(r"\breceived\b", re.IGNORECASE), re.compile(r"\bM\s?\d"))
_DATE_FORMATS = ("%d/%m/%Y %I:%M %p", "%d/%m/%y %I:%M %p", "%d/%m/%Y %H:%M", "%d/%m/%y %H:%M", "%d/%m/%Y %H:%M:%S")
# EcoCash approval codes start with the moment: MP260416.0953.A96450 is 2026-04-16 09:53.
_APPROVAL_MOMENT = re.compile(r"^MP(\d{6})\.(\d{4})\.")
# The largest payment the intake posts by itself (a larger one is kept as unreadable, for a person to check).
INTAKE_AMOUNT = bounds.NumberRange("amount", "CC_PAYMENT_INTAKE_MAX_AMOUNT", Decimal("100000"), low_open=True, unit="LSL")


@dataclass
class SmsReading:
    """What a forwarded text is: "payment" (``row`` set), "ignored" (not a payment) or "unreadable"."""

    status: str
    provider: str = ""
    template: str = ""
    note: str = ""
    row: StatementRow | None = None
    fields: dict = field(default_factory=dict)


def text_problem(text):
    """Why ``text`` cannot be taken at all (None if it can): control characters or bidirectional overrides (a
    real SMS never carries them; ccportal.normalize), or longer than allowed."""
    limit = getattr(settings, "CC_PAYMENT_INTAKE_MAX_TEXT", 1600)
    if len(text) > limit:
        return f"longer than {limit} characters"
    if control_characters_found(text):
        return "contains control characters"
    return None


def sms_provider(*, sender, text):
    """The provider a text is from by its sender or brand, or "" when neither says."""
    digits = re.sub(r"\D", "", sender or "")
    low = (text or "").lower()
    if digits == "199" or "ecocash" in low or "econet" in low:
        return Provider.ECOCASH
    if re.sub(r"[^a-z]", "", (sender or "").lower()) == "mpesa" or "m-pesa" in low or "mpesa" in low:
        return Provider.MPESA
    return ""


def sms_read(*, sender, text, received_at):
    """Read a forwarded SMS. ``received_at`` (aware) is the payment's time unless the text gives a plausible one."""
    text = unicodedata.normalize("NFKC", text or "")
    for name, pattern in _NEVER_PAYMENTS:
        if pattern.search(text):
            return SmsReading("ignored", provider=sms_provider(sender=sender, text=text), note=name)
    hinted = sms_provider(sender=sender, text=text)
    order = [hinted] + [p for p in TEMPLATES if p != hinted] if hinted else list(TEMPLATES)
    for provider in order:
        for template in TEMPLATES[provider]:
            match = template.pattern.search(text)
            if match:
                return _reading(provider, template, match, text, received_at)
    if all(pattern.search(text) for pattern in _LOOKS_LIKE_PAYMENT):
        return SmsReading("unreadable", provider=hinted, note="looks like a payment, but no known layout reads it")
    for name, pattern in _NOT_PAYMENTS:
        if pattern.search(text):
            return SmsReading("ignored", provider=hinted, note=name)
    return SmsReading("ignored", provider=hinted, note="not a payment confirmation")


def _reading(provider, template, match, text, received_at):
    groups = {k: v for k, v in match.groupdict().items() if v}
    unreadable = SmsReading("unreadable", provider=provider, template=template.name, fields=groups)
    try:
        amount = money(groups["amount"].replace(",", ""))
    except ValueError:
        unreadable.note = "the amount cannot be read"
        return unreadable
    if not INTAKE_AMOUNT.contains(amount):
        unreadable.note = f"amount M {amount} outside the intake's range: {INTAKE_AMOUNT.describe()}"
        return unreadable
    written = groups.get("receipt") or (_receipt_line(text) if provider == Provider.ECOCASH else "")
    try:
        receipt = receipt_read(written.rstrip("."), "receipt")
    except ValueError:
        unreadable.note = "no receipt or approval code in the text: it will come with the statement"
        return unreadable
    payer_text, name = groups.get("payer", ""), groups.get("name", "")
    if "from" in groups:  # EcoCash "Name Surname-62205631"
        name, _, payer_text = groups["from"].rpartition("-")
        if not payer_text.strip().replace(" ", "").isdigit():
            name, payer_text = groups["from"], ""
    account_lines = [groups.get("account", "")] + [m["text"] for p in _ACCOUNT_LINES for m in p.finditer(text)]
    details = " · ".join(line.strip() for line in account_lines if line.strip())
    row = StatementRow(
        row_number=1,
        receipt=receipt,
        paid_at=_paid_at(groups, receipt, received_at),
        amount=amount,
        payer_phone=_payer_phone(payer_text),
        payer_name=" ".join(name.split())[:150],
        details=details[:255],  # the lines that may name the account; the whole text stays on the IncomingSms
        # the whole text last, without the receipt (ECX55512 is not account 55512ECX)
        account_candidates=account_candidates(*account_lines, text.replace(written, " ")),
    )
    return SmsReading("payment", provider=provider, template=template.name, row=row, fields=groups)


def _payer_phone(text):
    """The payer's phone in international form, or "" (payer phones are best-effort, as on statements)."""
    try:
        return phone_normalise(text.replace("\u00a0", " "))
    except NormalisationError:
        return phone_in_text(text)


def _receipt_line(text):
    for pattern in _RECEIPT_LINES:
        match = pattern.search(text)
        if match:
            return match["receipt"]
    return ""


def _paid_at(groups, receipt, received_at):
    """The moment the text gives (M-Pesa's "on d/m/y at h:mm AM", EcoCash's approval code) when it lies within
    the days before ``received_at``; else ``received_at``."""
    moment = None
    if groups.get("date") and groups.get("time"):
        stamp = f"{groups['date']} {' '.join(groups['time'].upper().split())}"
        for fmt in _DATE_FORMATS:
            try:
                moment = datetime.strptime(stamp, fmt)
                break
            except ValueError:
                continue
    elif found := _APPROVAL_MOMENT.match(receipt):
        try:
            moment = datetime.strptime(found[1] + found[2], "%y%m%d%H%M")
        except ValueError:
            moment = None
    if moment is None:
        return received_at
    moment = timezone.make_aware(moment)
    if received_at - timedelta(days=3) <= moment <= received_at + timedelta(minutes=10):
        return moment
    return received_at

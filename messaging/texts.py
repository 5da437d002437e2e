"""The words of every message: built-in texts per kind and language, their {placeholders}, filling them in,
and how many SMS parts a text takes (GSM-7 or UCS-2)."""

import math
from string import Formatter

from django.core.exceptions import ValidationError

from messaging.models import Kind, Language

PLACEHOLDERS = {
    Kind.RECEIPT: {
        "first_name": "the customer's first name",
        "account": "account number",
        "amount": "amount paid (LSL, 2 places)",
        "kwh": "kWh bought",
        "balance_kwh": "balance after the payment (kWh)",
        "receipt": "receipt number",
        "date": "payment date (Africa/Maseru)",
    },
    Kind.LOW_BALANCE: {
        "first_name": "the customer's first name",
        "account": "account number",
        "balance_kwh": "balance (kWh)",
        "balance_lsl": "balance at the tariff in force (LSL)",
        "threshold_kwh": "the alert level (kWh)",
    },
    Kind.CONTRACT_LINK: {
        "first_name": "the customer's first name",
        "account": "account number",
        "link": "the signed link to the contract",
        "days": "days the link works",
        "phone": "customer service phone",
        "organisation": "the supplier's name",
    },
}

DEFAULT_TEXTS = {
    (Kind.RECEIPT, Language.SESOTHO): (
        "Patala ea M{amount} bakeng sa ntlo ea {account} e amohetsoe ({kwh} kWh). "
        "Saleng se setseng: {balance_kwh} kWh. Rasiti: {receipt}."
    ),
    (Kind.RECEIPT, Language.ENGLISH): (
        "Payment of M{amount} for account {account} received ({kwh} kWh). New balance: {balance_kwh} kWh. Receipt: {receipt}."
    ),
    (Kind.LOW_BALANCE, Language.SESOTHO): (
        "Motlakase oa ntlo ea {account} o se o ka fela haufi. Ho setse motlakase oa boleng ba M{balance_lsl} ({balance_kwh} kWh)."
    ),
    (Kind.LOW_BALANCE, Language.ENGLISH): (
        "The electricity credit of account {account} is running low: M{balance_lsl} ({balance_kwh} kWh) left. Please recharge soon."
    ),
    (Kind.CONTRACT_LINK, Language.SESOTHO): (
        "Lumela {first_name}. U hoketsoe motlakase oa {organisation}. Ak'haonte: {account}. "
        "Tumellano ea hau: {link} (e sebetsa matsatsi a {days}). Thuso: {phone}"
    ),
    (Kind.CONTRACT_LINK, Language.ENGLISH): (
        "Hello {first_name}. You are connected to {organisation} electricity. Account: {account}. "
        "Your contract: {link} (valid for {days} days). Help: {phone}"
    ),
}

EXAMPLE_VALUES = {
    "first_name": "Palesa",
    "account": "0045MAK",
    "amount": "50.00",
    "kwh": "10.000",
    "balance_kwh": "12.500",
    "balance_lsl": "62.50",
    "threshold_kwh": "5.000",
    "receipt": "QK71ABC2DE",
    "date": "2026-03-01 14:05",
    "link": "https://cc.example.org/contracts/link/AbCdEf123/",
    "days": "30",
    "phone": "+266 2231 2345",
    "organisation": "1PWR",
}

# GSM 03.38: the basic character set (one septet each) and its extension table (two septets: escape + char).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")


def sms_length(text):
    """{"encoding": "GSM-7" | "UCS-2", "units": septets or UTF-16 units, "parts": SMS parts, "per_part": n}."""
    text = text or ""
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text):
        units = sum(2 if c in GSM7_EXTENSION else 1 for c in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    parts = 1 if units <= single else math.ceil(units / multi)
    return {"encoding": encoding, "units": units, "parts": parts, "per_part": single if parts == 1 else multi}


def template_check(*, kind, text):
    """Raise ValidationError unless ``text`` uses only the kind's plain {name} placeholders."""
    allowed = PLACEHOLDERS.get(kind, {})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the message."})
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in Formatter().parse(text) if name is not None]
    except ValueError as exc:
        raise ValidationError(
            {"text": f"A brace is not closed or not doubled ({exc}): write {{{{ for a literal brace."}
        ) from None
    for name, spec, conversion in fields:
        if name not in allowed or spec or conversion:
            names = ", ".join("{" + n + "}" for n in allowed)
            raise ValidationError({"text": f"{{{name}}} is not a placeholder of this message; use {names}."})
    return text


def text_fill(template, values):
    """``template`` with its placeholders replaced by ``values`` (checked by template_check first)."""
    return template.format_map({k: "" if v is None else str(v) for k, v in values.items()})

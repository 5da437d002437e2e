"""The one implementation of the normalisers every app uses: phones, account numbers, site codes."""

import re

from ccportal.spreadsheet import quote

PHONE_COUNTRY_CODE = "266"
LOCAL_PHONE_DIGITS = 8  # Lesotho numbers are 8 digits after +266

ACCOUNT_DIGITS_MAX = 7  # tblaccountnumbers.accountnumber holds 10 characters: up to 7 digits and the site code
_ACCOUNT_FORMS = (
    re.compile(r"^(?P<num>\d{1,7})\s*-?\s*(?P<site>[A-Z]{3})$"),  # 0045MAK, 45 MAK, 11235MAK
    re.compile(r"^(?P<site>[A-Z]{3})\s*-?\s*(?P<num>\d{1,7})$"),  # MAK0045, mak 45
)
# The canonical form: the number zero-padded to four digits (0045MAK), longer numbers without padding (11235MAK).
ACCOUNT_NUMBER_CANONICAL = re.compile(r"^(?P<num>\d{4}|[1-9]\d{4,6})(?P<site>[A-Z]{3})$")


class NormalisationError(ValueError):
    """Input that cannot be read as the thing asked for; the message is shown to the user."""


def phone_normalise(value):
    """Return a phone in international form ``+266XXXXXXXX``, or "" for an empty value.

    Accepts ACDB's integers (57755403), local forms (5775 5403, 05775-5403) and international
    ones (+266 5775 5403, 00266…, 266…). Raises NormalisationError for anything else."""
    if value is None:
        return ""
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():  # an integer that came through a float column
        text = text[:-2]
    if not text:
        return ""
    if re.search(r"[^\d\s+().-]", text):
        raise NormalisationError(f"{value!r} is not a phone number: use digits, e.g. +266 5775 5403.")
    digits = re.sub(r"\D", "", text)
    if digits.startswith("00"):
        digits = digits[2:]
    if len(digits) > LOCAL_PHONE_DIGITS and digits.startswith(PHONE_COUNTRY_CODE):
        digits = digits[len(PHONE_COUNTRY_CODE) :]
    if len(digits) == LOCAL_PHONE_DIGITS + 1 and digits.startswith("0"):
        digits = digits[1:]
    if len(digits) != LOCAL_PHONE_DIGITS:
        raise NormalisationError(f"{value!r} is not a Lesotho phone number: it needs 8 digits after +266, e.g. +266 5775 5403.")
    return f"+{PHONE_COUNTRY_CODE}{digits}"


def phone_search_key(value):
    """The last 8 digits of whatever was typed, for matching phones stored in any form; "" if too short."""
    digits = re.sub(r"\D", "", str(value or ""))
    return digits[-LOCAL_PHONE_DIGITS:] if len(digits) >= 5 else ""


def account_number_normalise(value):
    """Return the canonical account number: the number zero-padded to four digits, then the site code
    (``0045MAK``); a site past 9,999 customers gets longer numbers without padding (``11235MAK``).

    Accepts 0045MAK, 0045mak, MAK0045, mak 45, 45-MAK, 011235MAK. Raises NormalisationError otherwise."""
    text = re.sub(r"\s+", " ", str(value or "").strip().upper())
    for pattern in _ACCOUNT_FORMS:
        match = pattern.match(text)
        if match:
            number = int(match["num"])
            if number == 0 or number >= 10**ACCOUNT_DIGITS_MAX:
                break
            return account_number_format(number, match["site"])
    raise NormalisationError(
        f"{quote(str(value).strip())} is not an account number: use the number (4 digits or more) and the site code, e.g. 0045MAK."
    )


def account_number_format(number, site_code):
    """The canonical account number for ``number`` at ``site_code`` (45, MAK → 0045MAK; 11235, MAK → 11235MAK)."""
    return f"{number:04d}{site_code.upper()}"


def account_number_or_none(value):
    """Like account_number_normalise, but None for text that is not an account number (for search boxes)."""
    try:
        return account_number_normalise(value)
    except NormalisationError:
        return None


def site_code_from_account(accountnumber):
    return str(accountnumber or "")[-3:].upper()


# C0 controls and DEL. NUL breaks PostgreSQL text; the others are invisible in a page or a spreadsheet.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f\x7f]")
# The same, and the bidirectional overrides and isolates, which make a shown text read otherwise than it is
# ("pay \u202e0045MAK"). Texts a program sends us (an SMS, a sender name) never carry any of them.
_CONTROL_OR_BIDI = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def control_characters_found(text):
    """True when ``text`` holds a control character (tab and line breaks aside) or a bidirectional override."""
    return bool(_CONTROL_OR_BIDI.search(text or ""))


def control_characters_shown(text):
    """``text`` with each control character and bidirectional override replaced by a visible stand-in naming it
    (⟦U+001B⟧, ⟦U+202E⟧: the Unicode control pictures ␛ are missing from common fonts), for showing a kept text
    verbatim to a person; tabs and line breaks stay."""
    return _CONTROL_OR_BIDI.sub(lambda match: f"\u27e6U+{ord(match.group(0)):04X}\u27e7", text or "")


def control_characters_strip(text, *, multiline=True):
    """``text`` without control characters; tabs and line breaks are kept when ``multiline`` (a textarea) and
    become spaces otherwise (a cell of a statement). Everything else, including every other Unicode letter,
    passes unchanged."""
    if multiline:
        return _CONTROL.sub("", text)
    return _CONTROL_OR_BREAK.sub(lambda m: " " if m.group(0) in "\t\n\r" else "", text)

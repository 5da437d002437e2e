"""The shared normalisers, with property-based checks."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccportal.normalize import NormalisationError, account_number_normalise, phone_normalise, phone_search_key


@pytest.mark.parametrize("raw", ["0045MAK", "0045mak", "MAK0045", "mak 45", "45 MAK", "MAK-0045", " 45mak "])
def test_it_normalises_account_number_forms(raw):
    assert account_number_normalise(raw) == "0045MAK"


@pytest.mark.parametrize("raw", ["11235MAK", "11235mak", "MAK11235", "mak 11235", "011235MAK"])
def test_it_normalises_numbers_past_9999_without_padding(raw):
    assert account_number_normalise(raw) == "11235MAK"


@pytest.mark.parametrize("raw", ["", "MAK", "0000MAK", "10000000MAK", "0045MA", "0045MAKE", "45/MAK", None])
def test_it_refuses_non_account_numbers(raw):
    with pytest.raises(NormalisationError):
        account_number_normalise(raw)


@given(
    st.integers(1, 9_999_999),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3),
    st.booleans(),
    st.booleans(),
)
def test_account_number_forms_round_trip(number, site, reversed_form, lower):
    raw = f"{site}{number}" if reversed_form else f"{number:04d}{site}"
    raw = raw.lower() if lower else raw
    canonical = account_number_normalise(raw)
    assert canonical == f"{number:04d}{site}"
    assert account_number_normalise(canonical) == canonical


@pytest.mark.parametrize(
    "raw", [57755403, "57755403", "5775 5403", "+266 5775 5403", "26657755403", "0026657755403", "057755403", "57755403.0"]
)
def test_it_normalises_phone_forms(raw):
    assert phone_normalise(raw) == "+26657755403"


@pytest.mark.parametrize("raw", ["1234", "+27 82 123 4567", "call me", "5775540312345"])
def test_it_refuses_non_phones(raw):
    with pytest.raises(NormalisationError):
        phone_normalise(raw)


@given(st.integers(10_000_000, 99_999_999), st.sampled_from(["{}", "+266{}", "266 {}", "00266{}", "0{}"]))
def test_phone_forms_round_trip(number, form):
    canonical = phone_normalise(form.format(number))
    assert canonical == f"+266{number}"
    assert phone_normalise(canonical) == canonical
    assert phone_search_key(form.format(number)) == str(number)


def test_empty_phone_is_empty():
    assert phone_normalise(None) == phone_normalise("  ") == ""


def test_control_characters_are_found_and_shown_with_bidi_overrides():
    from ccportal.normalize import control_characters_found, control_characters_shown

    assert not control_characters_found("line one\nline two\ttab\r\n")
    assert control_characters_found("a\x00b") and control_characters_found("pay \u202e0045MAK")
    assert (
        control_characters_shown("a\x00b\x1b[31m\x7f \u202e0045MAK\nnext")
        == "a\u27e6U+0000\u27e7b\u27e6U+001B\u27e7[31m\u27e6U+007F\u27e7 \u27e6U+202E\u27e70045MAK\nnext"
    )


def test_an_outside_value_in_a_refusal_is_quoted_short():
    from ccportal.units import money

    with pytest.raises(ValueError, match=r"^'xxxx.*… \(500 characters\) is not a number$"):
        money("x" * 500)

"""SMS lengths (GSM-7 with its extension table, UCS-2) and template placeholders."""

import pytest
from django.core.exceptions import ValidationError

from messaging.texts import DEFAULT_TEXTS, EXAMPLE_VALUES, PLACEHOLDERS, sms_length, template_check, text_fill


def test_it_counts_gsm7_parts():
    assert sms_length("a" * 160) == {"encoding": "GSM-7", "units": 160, "parts": 1, "per_part": 160}
    assert sms_length("a" * 161)["parts"] == 2
    assert sms_length("a" * 306)["parts"] == 2 and sms_length("a" * 307)["parts"] == 3


def test_extension_characters_take_two_septets():
    assert sms_length("€" * 80) == {"encoding": "GSM-7", "units": 160, "parts": 1, "per_part": 160}
    assert sms_length("€" * 80 + "a")["parts"] == 2
    assert sms_length("[]{}")["units"] == 8


def test_a_character_outside_gsm7_makes_it_ucs2():
    assert sms_length("Tšebeliso")["encoding"] == "UCS-2"
    assert sms_length("š" * 70)["parts"] == 1 and sms_length("š" * 71)["parts"] == 2
    assert sms_length("😀" * 35)["units"] == 70  # surrogate pairs count twice


def test_every_built_in_text_uses_only_its_placeholders_and_fills():
    for (kind, _language), text in DEFAULT_TEXTS.items():
        assert template_check(kind=kind, text=text) == text
        filled = text_fill(text, EXAMPLE_VALUES)
        assert "{" not in filled
        assert set(PLACEHOLDERS[kind]) >= {n for n in PLACEHOLDERS[kind] if "{" + n + "}" in text}


@pytest.mark.parametrize("text", ["{nope}", "{amount.__class__}", "{amount!r}", "{amount:>10}", "unclosed {amount", "  "])
def test_templates_refuse_unknown_or_unsafe_placeholders(text):
    with pytest.raises(ValidationError):
        template_check(kind="receipt", text=text)

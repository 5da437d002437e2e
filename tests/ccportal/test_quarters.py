"""Quarter strings: parsing, validation, ordering and bounds."""

from datetime import date

import pytest

from ccportal.quarters import Quarter, QuarterError, quarter_of, quarter_parse, quarter_parse_optional, quarters_between


@pytest.mark.parametrize("text", ["2025 Q4", "2025Q4", "2025-q4", " 2025 q4 "])
def test_it_parses_the_forms_people_type(text):
    assert quarter_parse(text) == Quarter(2025, 4)


@pytest.mark.parametrize("text", ["Q4 2025", "2025 Q5", "2025", "", "25 Q1", "2025 Q1; DROP"])
def test_it_rejects_anything_else_naming_the_form(text):
    with pytest.raises(QuarterError, match="2025 Q4"):
        quarter_parse(text)


def test_it_treats_blank_as_no_quarter():
    assert quarter_parse_optional("") is None
    assert quarter_parse_optional(None) is None


def test_it_orders_by_time_not_text():
    quarters = [Quarter(2025, 1), Quarter(2024, 4), Quarter(2024, 10 // 10)]
    assert [str(q) for q in sorted(quarters)] == ["2024 Q1", "2024 Q4", "2025 Q1"]
    assert Quarter(2024, 4).next() == Quarter(2025, 1)


def test_it_knows_its_days():
    q = Quarter(2024, 1)
    assert (q.first_day, q.last_day, q.days) == (date(2024, 1, 1), date(2024, 3, 31), 91)
    assert quarter_of(date(2024, 12, 31)) == Quarter(2024, 4)
    assert [str(x) for x in quarters_between(Quarter(2024, 3), Quarter(2025, 1))] == ["2024 Q3", "2024 Q4", "2025 Q1"]
    assert Quarter(2024, 1).days_elapsed(date(2024, 1, 10)) == 10

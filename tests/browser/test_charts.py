"""Charts as a person at a 1366-px desktop sees them: every chart's text at least 11 px, the unit clear of the ticks."""

import pytest

from customers.models import Site
from customers.sites import SITES
from tests.reports.factories import build_report_dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEASURE = """() => [...document.querySelectorAll('svg.chart')].map(svg => {
  const size = parseFloat(svg.getAttribute('font-size'));
  const texts = [...svg.querySelectorAll('text')];
  const px = Math.min(...texts.map(t => size * t.getScreenCTM().a));
  const box = e => e.getBoundingClientRect();
  const unit = svg.querySelector('text.unit');
  const overlaps = unit ? [...svg.querySelectorAll('text.tick')].filter(t => {
    const a = box(unit), b = box(t);
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }).length : 0;
  return {title: svg.getAttribute('aria-label'), px, overlaps};
})"""


@pytest.fixture
def dataset(db):
    for code, name, district, kind in SITES:
        Site.objects.get_or_create(code=code, defaults={"name": name, "district": district, "kind": kind})
    build_report_dataset()


@pytest.mark.parametrize("path", ["/", "/reports/om/?quarter=2024+Q2", "/financial/"])
def test_chart_text_is_at_least_11_px_at_1366_and_units_never_overlap_ticks(page, login, generic, dataset, path):
    page.set_viewport_size({"width": 1366, "height": 900})
    login(generic)
    page.goto(path)
    charts = page.evaluate(MEASURE)
    assert charts, f"no chart on {path}"
    for chart in charts:
        assert chart["px"] >= 11, chart
        assert chart["overlaps"] == 0, chart

"""At 800 px (a tablet) nothing is cut off: no page wider than the screen, no button clipped, placeholders that
fit their boxes, and the site × quarter table keeps its first column and totals in view while it scrolls."""

import pytest

from customers.models import Site
from customers.sites import SITES
from tests.factories import AccountNumberFactory, LedgerRowFactory, aware
from tests.reports.factories import build_report_dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROBLEMS = """() => {
  const problems = [];
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth > width) problems.push(`page is ${document.documentElement.scrollWidth}px wide`);
  const visible = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
  const clippers = e => { const out = []; for (let a = e.parentElement; a; a = a.parentElement) {
    if (getComputedStyle(a).overflowX !== 'visible') out.push(a); } return out; };
  for (const e of document.querySelectorAll('button, a.button, input[type=submit], select')) {
    if (!visible(e) || e.closest('dialog:not([open])') || e.closest('table.pivot')) continue;
    const r = e.getBoundingClientRect();
    if (r.left < 0 || r.right > width + 0.5) problems.push(`${e.outerHTML.slice(0, 60)} leaves the screen`);
    for (const a of clippers(e)) { const c = a.getBoundingClientRect();
      if (r.left < c.left - 0.5 || r.right > c.right + 0.5) problems.push(`${e.outerHTML.slice(0, 60)} is cut off`); }
  }
  const canvas = document.createElement('canvas').getContext('2d');
  for (const e of document.querySelectorAll('input[placeholder]')) {
    if (!visible(e)) continue;
    const s = getComputedStyle(e); canvas.font = `${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
    const room = e.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    if (canvas.measureText(e.placeholder).width > room + 1) problems.push(`placeholder of ${e.name} does not fit`);
  }
  for (const e of document.querySelectorAll('.card dd, .card p, .card td')) {
    const card = e.closest('.card').getBoundingClientRect(), r = e.getBoundingClientRect();
    if (visible(e) && !e.closest('.table-wrap') && (e.scrollWidth > e.clientWidth + 1 || r.right > card.right + 0.5))
      problems.push(`${e.textContent.trim().slice(0, 40)} runs out of its box`);
  }
  return problems;
}"""


@pytest.fixture
def dataset(db):
    for code, name, district, kind in SITES:
        Site.objects.get_or_create(code=code, defaults={"name": name, "district": district, "kind": kind})
    build_report_dataset()
    AccountNumberFactory(accountnumber="0045MAK", customer__email="a.very.long.address@demo.1pwrafrica.com")
    for quarter in range(16):  # four years of quarters: wider than a tablet
        LedgerRowFactory(
            accountnumber="0045MAK", payment=True, transaction_date=aware(2021 + quarter // 4, 1 + 3 * (quarter % 4), 5)
        )


@pytest.mark.parametrize("path", ["/roles/", "/profile/", "/customers/", "/financial/", "/"])
def test_nothing_is_cut_off_at_800_px(page, login, screenshot, superadmin, onm, finance, generic, dataset, path):
    superadmin.email = "lineo.mokoena.superadmin@demo.1pwrafrica.com"
    superadmin.save()
    page.set_viewport_size({"width": 800, "height": 1100})
    login(superadmin)
    page.goto(path)
    assert page.evaluate(PROBLEMS) == []
    screenshot(f"tablet-800{path.replace('/', '-').rstrip('-')}")


def test_the_site_by_quarter_table_keeps_its_first_column_and_totals_in_view(page, login, finance, dataset):
    page.set_viewport_size({"width": 800, "height": 1100})
    login(finance)
    page.goto("/financial/")
    wrap = page.locator("table.pivot").locator("xpath=..")
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth"), "the table fits; nothing to scroll"
    wrap.evaluate("w => { w.scrollLeft = w.scrollWidth / 2; }")
    inside = page.evaluate("""() => {
      const wrap = document.querySelector('table.pivot').parentElement.getBoundingClientRect();
      return [...document.querySelectorAll('table.pivot tr')].every(tr => {
        const first = tr.firstElementChild.getBoundingClientRect(), last = tr.lastElementChild.getBoundingClientRect();
        return first.left >= wrap.left - 1 && last.right <= wrap.right + 1;
      });
    }""")
    assert inside


@pytest.mark.parametrize("path", ["/accounts/0045MAK/", "/customers/", "/reports/om/", "/financial/"])
def test_no_page_scrolls_sideways_on_a_phone(page, login, superadmin, dataset, path):
    """At 390 px wide tables scroll inside their box; nothing in them widens the page. (The ledger's hidden
    "Edit row …" labels, absolutely placed, used to sit at the table's right end and made Customer Data 670 px
    wide: a table box now holds what it places.)"""
    page.set_viewport_size({"width": 390, "height": 800})
    login(superadmin)
    page.goto(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate("() => { window.scrollTo(200, 0); return window.scrollX; }") == 0

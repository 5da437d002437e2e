"""Every page's <title> is a short plain text: a block left open in a template puts the page's markup in the tab."""

import re

import pytest

from tests.test_permission_matrix import html_pages_as_superadmin, people, world  # noqa: F401

TITLE = re.compile(r"<title>(.*?)</title>", re.S)


@pytest.mark.django_db
def test_every_page_has_a_short_plain_title(people, world):  # noqa: F811
    pages = [(url, html) for url, html in html_pages_as_superadmin(people, world) if "<html" in html]  # not redirects
    assert len(pages) >= 40
    for url, html in pages:
        found = TITLE.search(html)
        assert found, f"{url} has no <title>"
        title = found[1]
        assert "<" not in title and "\n" not in title.strip() and len(title) <= 120, f"{url}: title {title[:80]!r}"

"""Every page of the permission matrix, opened in Chromium as superadmin, runs under the Content Security Policy
without a single violation (no inline script or handler slipped into a template) and without a script error."""

import pytest
from playwright.sync_api import Error as PlaywrightError

from accounts.models import Role
from tests.security.urlmatrix import ALLOW, build_url
from tests.test_permission_matrix import matrix_cases, people, world  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_no_page_breaks_the_content_security_policy(page, login, superadmin, world):  # noqa: F811
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    login(superadmin)
    urls = ["/api/docs/"]
    for case, entry in matrix_cases():
        pol = entry.policy_for("GET")
        if case.kind == "page" and pol is not None and pol.expect(Role.SUPERADMIN) == ALLOW:
            urls.append(build_url(case, entry, world))
    visited = []
    for url in urls:
        before = len(problems)
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            if "Download is starting" in str(error):  # a file (CSV, XLSX, PDF), not a page
                continue
            raise
        page.wait_for_load_state("networkidle")
        if "text/html" not in response.headers.get("content-type", ""):
            del problems[before:]  # JSON (/health): Chromium only misses a favicon there
            continue
        visited.append(url)
        problems[before:] = [f"{url}: {text}" for text in problems[before:]]
    assert len(visited) > 2
    assert not problems, "\n".join(problems)

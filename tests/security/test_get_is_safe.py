"""No state change on GET, and the security headers on every answer. Both walk every URL of the permission
matrix as superadmin (the role that may do most), so URLs added later are covered once they have their entry."""

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.test import Client

from accounts.models import Role
from tests.security.urlmatrix import ALLOW, ANONYMOUS, build_url, client_for_role, describe
from tests.test_permission_matrix import matrix_cases

pytestmark = pytest.mark.django_db


def _state():
    """Every row of every model (history tables included), except the sessions that each request refreshes."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values_list())
        for model in apps.get_models()
        if model is not Session
    }


def _gets(role):
    for case, entry in matrix_cases():
        pol = entry.policy_for("GET")
        if pol is not None and pol.expect(role) == ALLOW:
            yield case, entry


def test_no_get_changes_any_row_or_writes_history(people, world):
    history_models = [m._meta.label for m in apps.get_models() if m.__name__.startswith("Historical")]
    assert history_models, "django-simple-history models expected"
    failures, checked = [], 0
    for case, entry in _gets(Role.SUPERADMIN):
        url = build_url(case, entry, world)
        client = client_for_role(case, Role.SUPERADMIN, people)
        before = _state()
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.get(url, **headers)
            assert response.status_code < 500, f"GET {url}: {describe(response)}"
        checked += 1
        after = _state()
        changed = sorted(label for label in before if before[label] != after[label])
        if changed:
            failures.append(f"GET {url} changed {', '.join(changed)}")
    assert checked > 0
    assert not failures, "\n".join(failures)


def _header_problems(response):
    problems = []
    csp = response.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    script_src = directives.get("script-src", directives.get("default-src"))
    if not script_src:
        problems.append("no Content-Security-Policy script-src")
    elif {"'unsafe-inline'", "'unsafe-eval'"} & set(script_src) or "*" in script_src:
        problems.append(f"script-src allows inline or any script: {script_src}")
    if directives.get("frame-ancestors") != ["'none'"] or directives.get("object-src") != ["'none'"]:
        problems.append("CSP without frame-ancestors 'none' and object-src 'none'")
    expected = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
    # Contract downloads send the stricter no-referrer (a signed link's token must not leak, even same-origin).
    stricter = {"Referrer-Policy": "no-referrer"}
    problems += [
        f"{name}: {response.get(name)!r}"
        for name, value in expected.items()
        if response.get(name) not in (value, stricter.get(name, value))
    ]
    return problems


def test_every_answer_carries_the_security_headers(people, world):
    failures, checked = [], 0
    for role in (Role.SUPERADMIN, ANONYMOUS):
        for case, entry in _gets(role):
            url = build_url(case, entry, world)
            response = client_for_role(case, role, people).get(url)
            checked += 1
            if problems := _header_problems(response):
                failures.append(f"GET {url} as {role}: {'; '.join(problems)}")
    # Refusals and errors too.
    for url in ("/roles/", "/no-such-page/", "/api/auth/me"):
        response = Client().get(url)
        if problems := _header_problems(response):
            failures.append(f"GET {url} ({response.status_code}): {'; '.join(problems)}")
    assert checked > 0
    assert not failures, "\n".join(failures)

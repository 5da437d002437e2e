"""Behind Caddy every request comes from 127.0.0.1: the lockout must key on the client's address that the proxy
forwards (CC_PROXY_COUNT), or one attacker could lock an employee out for everyone."""

import json

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings

from ccportal.proxy import client_ip
from tests.factories import TEST_PASSWORD

API = "/api/auth/employee-login"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "127.0.0.1"),  # no proxy trusted: the header is ignored
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # a forged left-hand entry is ignored
        (2, "203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "127.0.0.1"),  # fewer entries than proxies: not trusted
        (1, "", "127.0.0.1"),
    ],
)
def test_it_reads_the_address_the_trusted_proxies_forward(count, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(CC_PROXY_COUNT=count):
        assert client_ip(request) == expected


@pytest.mark.django_db
@override_settings(CC_PROXY_COUNT=1)
def test_behind_the_proxy_a_lockout_holds_only_for_the_attackers_address(client, generic):
    def login(password, address):
        body = json.dumps({"employee_id": generic.employee_id, "password": password})
        return client.post(API, body, content_type="application/json", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=address)

    answers = [login("wrong-password-1", "198.51.100.66").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert answers[-1] == 429
    assert login(TEST_PASSWORD, "198.51.100.66").status_code == 429
    assert login(TEST_PASSWORD, "203.0.113.9").status_code == 200

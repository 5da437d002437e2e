"""Behind Caddy every request comes from 127.0.0.1: the lockout must key on the client's address that the proxy
forwards (CC_PROXY_COUNT), or one attacker could lock an employee out for everyone."""

import json

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings

from ccportal.proxy import client_ip
from tests.factories import TEST_PASSWORD

API = "/api/auth/employee-login"


def api_login(client, employee, password, address):
    body = json.dumps({"employee_id": employee.employee_id, "password": password})
    return client.post(API, body, content_type="application/json", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=address)


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
        return api_login(client, generic, password, address)

    answers = [login("wrong-password-1", "198.51.100.66").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert answers[-1] == 429
    assert login(TEST_PASSWORD, "198.51.100.66").status_code == 429
    assert login(TEST_PASSWORD, "203.0.113.9").status_code == 200


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("not-an-ip", "127.0.0.1"),  # not an address: unknown, the lockout keys on the proxy's address
        ("unknown", "127.0.0.1"),
        ("_hidden", "127.0.0.1"),
        ("203.0.113.9:5555", "203.0.113.9"),  # a port is cut off
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("2001:DB8:0::1", "2001:db8::1"),  # canonical form, so one client is one lockout
        ("fe80::1%eth0", "fe80::1"),
        ("1.2.3.4.5", "127.0.0.1"),
        ("999.1.1.1", "127.0.0.1"),
        ("6.6.6.6, not-an-ip", "127.0.0.1"),  # the trusted entry is bad: the forged one is not used instead
        ('"203.0.113.9"', "203.0.113.9"),
    ],
)
def test_a_malformed_forwarded_address_is_unknown_or_parsed(forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(CC_PROXY_COUNT=1):
        assert client_ip(request) == expected


@pytest.mark.django_db
@override_settings(CC_PROXY_COUNT=1)
@pytest.mark.parametrize("forwarded", ["not-an-ip", "127.0.0.1:5555", "unknown", "[::1]:8080", "\u00e9\u00e9"])
def test_pages_logins_and_the_api_answer_with_a_malformed_forwarded_address(client, generic, forwarded):
    headers = {"X-Forwarded-For": forwarded}
    assert client.get("/login/", headers=headers).status_code == 200
    wrong = {"username": generic.employee_id, "password": "wrong-password-1"}
    assert client.post("/login/", wrong, headers=headers).status_code == 200  # the form again, with its error
    body = json.dumps({"employee_id": generic.employee_id, "password": TEST_PASSWORD})
    assert client.post(API, body, content_type="application/json", headers=headers).status_code == 200
    assert client.get("/customers/", headers=headers).status_code in (200, 302)


@pytest.mark.django_db
@override_settings(CC_PROXY_COUNT=1)
def test_the_lockout_still_holds_for_malformed_addresses(client, generic):
    def login(password, address):
        return api_login(client, generic, password, address)

    answers = [login("wrong-password-1", "198.51.100.66:4444").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert answers[-1] == 429
    assert login(TEST_PASSWORD, "198.51.100.66:5555").status_code == 429  # same client, another port
    assert login(TEST_PASSWORD, "203.0.113.9").status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login("wrong-password-1", "not-an-ip")
    assert login(TEST_PASSWORD, "unknown").status_code == 429  # the unknown clients share one lockout

"""Refresh tokens are single use, also under concurrent requests, and a replayed one ends its whole login
(refresh-token reuse detection, OAuth 2.0 Security BCP): accounts.services.token_family_*."""

import json
import threading

import pytest
from django.db import connection

from accounts.models import TokenFamily
from tests.factories import TEST_PASSWORD

REFRESH = "/api/auth/refresh"


def post_json(client, url, payload):
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def login(client, employee):
    payload = {"employee_id": employee.employee_id, "password": TEST_PASSWORD}
    response = post_json(client, "/api/auth/employee-login", payload)
    assert response.status_code == 200
    return response.json()


def me(client, access_token):
    return client.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {access_token}").status_code


@pytest.mark.django_db
def test_a_replayed_refresh_token_ends_every_token_of_its_login(client, onm):
    first = login(client, onm)
    second = post_json(client, REFRESH, {"refresh_token": first["refresh_token"]}).json()
    third = post_json(client, REFRESH, {"refresh_token": second["refresh_token"]}).json()
    assert me(client, third["access_token"]) == 200

    replay = post_json(client, REFRESH, {"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401 and replay.json() == {"detail": "Invalid or expired token."}
    # the thief's copy and the owner's newest tokens alike: refresh and access
    assert post_json(client, REFRESH, {"refresh_token": third["refresh_token"]}).status_code == 401
    assert me(client, third["access_token"]) == 401
    assert me(client, first["access_token"]) == 401
    family = TokenFamily.objects.get(employee=onm)
    assert family.revoked_at is not None and family.revoked_reason == "reuse"


@pytest.mark.django_db
def test_a_replay_ends_only_its_own_login(client, onm):
    phone, laptop = login(client, onm), login(client, onm)
    post_json(client, REFRESH, {"refresh_token": phone["refresh_token"]})
    assert post_json(client, REFRESH, {"refresh_token": phone["refresh_token"]}).status_code == 401
    assert me(client, laptop["access_token"]) == 200
    assert post_json(client, REFRESH, {"refresh_token": laptop["refresh_token"]}).status_code == 200


@pytest.mark.django_db
def test_logout_ends_the_access_tokens_of_its_login(client, generic):
    tokens = login(client, generic)
    assert me(client, tokens["access_token"]) == 200
    assert post_json(client, "/api/auth/logout", {"refresh_token": tokens["refresh_token"]}).status_code == 204
    assert me(client, tokens["access_token"]) == 401
    assert TokenFamily.objects.get(employee=generic).revoked_reason == "logout"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_of_concurrent_refreshes_of_one_token_exactly_one_succeeds_and_the_family_ends(onm):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent transactions")
    from django.test import Client

    tokens = login(Client(), onm)
    parallel = 6
    barrier = threading.Barrier(parallel)
    answers, errors = [], []

    def refresh():
        from django.db import connections

        try:
            client = Client()
            barrier.wait()
            response = post_json(client, REFRESH, {"refresh_token": tokens["refresh_token"]})
            answers.append((response.status_code, response.json()))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=refresh) for _ in range(parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] + [401] * (parallel - 1)
    # The losers presented a token already exchanged: a replay, so the winner's new tokens are revoked too.
    (winner,) = [body for status, body in answers if status == 200]
    family = TokenFamily.objects.get(employee=onm)
    assert family.revoked_reason == "reuse"
    client = Client()
    assert post_json(client, REFRESH, {"refresh_token": winner["refresh_token"]}).status_code == 401
    assert me(client, winner["access_token"]) == 401


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_of_different_logins_all_succeed(make_employee):
    """The single-use rule locks one login's row, not the table: other logins refresh meanwhile."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent transactions")
    from django.test import Client

    logins = [login(Client(), make_employee(employee_id=f"66{i}")) for i in range(4)]
    barrier = threading.Barrier(len(logins))
    statuses, errors = [], []

    def refresh(tokens):
        from django.db import connections

        try:
            barrier.wait()
            statuses.append(post_json(Client(), REFRESH, {"refresh_token": tokens["refresh_token"]}).status_code)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=refresh, args=(tokens,)) for tokens in logins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and statuses == [200] * len(logins)
    assert not TokenFamily.objects.filter(revoked_at__isnull=False).exists()

"""Deployment settings (Django's checklist, ASVS 3.4 cookies, 12.x TLS behind Caddy), checked with DEBUG off and a
real SECRET_KEY in a subprocess, as production starts. The response headers every page carries are checked in
test_get_is_safe.py; lockout and token refusals in tests/accounts/."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(__file__).resolve().parents[2]
HOST = "cc.example.org"

# Run inside a production-configured process: answers to a few requests, as JSON.
PROBE = r"""
import json, django
django.setup()
from django.conf import settings
# No database and no collectstatic here (the gunicorn test below does that): the cookie and header settings
# under test do not depend on where sessions or static files are stored.
settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
from django.test import Client

def answer(response):
    return {
        "status": response.status_code,
        "headers": dict(response.headers),
        "body": response.content.decode(errors="replace")[:20000],
        "cookies": {
            name: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"]), "samesite": m["samesite"],
                   "path": m["path"], "domain": m["domain"]}
            for name, m in response.cookies.items()
        },
    }

https = {"HTTP_X_FORWARDED_PROTO": "https"}  # what Caddy sends
client = Client(HTTP_HOST="@HOST@")
login = client.get("/login/", **https)
# The session cookie as a login sets it: the session middleware saving a modified session.
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
request = HttpRequest()
request.META.update(HTTP_HOST="@HOST@", **https)
middleware = SessionMiddleware(lambda r: HttpResponse())
middleware.process_request(request); request.session["x"] = 1
session_cookie = answer(middleware.process_response(request, HttpResponse()))["cookies"]
print(json.dumps({
    "login": answer(login),
    "plain_http": answer(client.get("/login/")),
    "health_plain_http": answer(client.get("/health")),
    "health": answer(client.get("/health", **https)),
    "not_found": answer(client.get("/no-such-page/", **https)),
    "session_cookie": session_cookie,
    "settings": {"DEBUG": settings.DEBUG, "SECURE_PROXY_SSL_HEADER": settings.SECURE_PROXY_SSL_HEADER},
}))
""".replace("@HOST@", HOST)


def production_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "CC_TESTING", "DATABASE_URL", "SECRET_KEY")}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        DJANGO_SETTINGS_MODULE="ccportal.settings",
    )
    env.update(extra)
    return env


def run(args, **env):
    return subprocess.run(args, cwd=BASE, env=production_env(**env), capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def production():
    result = run([sys.executable, "-c", PROBE])
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_reports_nothing_with_debug_off():
    result = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_are_host_prefixed_secure_and_http_only(production):
    csrf = production["login"]["cookies"]["__Host-csrftoken"]
    session = production["session_cookie"]["__Host-sessionid"]
    for cookie in (csrf, session):
        # __Host-: Secure, Path=/ and no Domain, so no subdomain can set or read it.
        assert cookie["secure"] and cookie["path"] == "/" and not cookie["domain"] and cookie["samesite"] == "Lax"
    assert session["httponly"]


def test_behind_caddy_https_is_trusted_http_is_redirected_and_hsts_is_sent(production):
    assert production["settings"]["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert production["login"]["status"] == 200
    assert production["plain_http"]["status"] == 301
    assert production["plain_http"]["headers"]["Location"] == f"https://{HOST}/login/"
    hsts = production["login"]["headers"]["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts and "preload" in hsts
    # The proxy's health check may use plain HTTP.
    assert production["health_plain_http"]["status"] == 200


def test_production_pages_carry_the_security_headers(production):
    headers = production["login"]["headers"]
    script_src = next(p for p in headers["Content-Security-Policy"].split(";") if p.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_health_and_errors_reveal_no_paths_versions_or_secrets(production):
    health = production["health"]
    assert health["status"] == 200 and json.loads(health["body"]) == {"status": "ok"}
    not_found = production["not_found"]
    assert not_found["status"] == 404
    for answer in (health, not_found):
        text = answer["body"] + json.dumps(answer["headers"])
        for leak in (str(BASE), "Traceback", "SECRET_KEY", "DATABASE", "urlpatterns", "Django", "Python"):
            assert leak not in text, leak


def test_tests_run_with_the_development_cookie_names():
    """The __Host- names apply only in production (a test client speaks plain HTTP)."""
    assert settings.SESSION_COOKIE_NAME == "sessionid" and not settings.SESSION_COOKIE_SECURE


def test_static_files_are_collected_and_served_by_gunicorn_with_whitenoise(tmp_path):
    """The production serving documented in the README: collectstatic, then gunicorn + whitenoise on loopback."""
    static_root = tmp_path / "static"
    # The bundled third-party UIs (Swagger/Redoc, admin, DRF: ~11 MB to compress) are left out to keep this quick.
    skip = ["-i", "drf_spectacular_sidecar", "-i", "admin", "-i", "rest_framework"]
    command = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0", *skip]
    result = run(command, STATIC_ROOT=str(static_root))
    assert result.returncode == 0, result.stderr
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    hashed_css = manifest["css/app.css"]
    import socket
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "ccportal.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=BASE,
        env=production_env(STATIC_ROOT=str(static_root), ALLOWED_HOSTS=f"{HOST},127.0.0.1"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:

        def get(path):
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"X-Forwarded-Proto": "https"})
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()

        for _ in range(100):  # bounded: at most ~30 s for gunicorn to start
            try:
                status, _, body = get("/health")
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, server.stderr.read().decode()
                time.sleep(0.3)
        else:
            pytest.fail("gunicorn did not answer /health")
        assert status == 200 and json.loads(body) == {"status": "ok"}
        status, headers, body = get(f"/static/{hashed_css}")
        assert status == 200 and b"{" in body
        assert "immutable" in headers["Cache-Control"]  # hashed names are cached for ever
    finally:
        server.terminate()
        server.wait(timeout=10)

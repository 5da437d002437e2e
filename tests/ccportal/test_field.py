"""Lighter pages and the field's plumbing: compression, ETags, the service worker and the queue's status."""

import gzip

import brotli
import pytest
import zstandard

from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_pages_are_compressed_with_the_best_coding_the_browser_accepts(onm_client):
    plain = onm_client.get("/customers/").content
    for accept, coding, decode in [
        ("gzip, deflate, br, zstd", "br", brotli.decompress),
        ("gzip, zstd", "zstd", lambda body: zstandard.ZstdDecompressor().decompressobj().decompress(body)),
        ("gzip", "gzip", gzip.decompress),
    ]:
        response = onm_client.get("/customers/", headers={"accept-encoding": accept})
        assert response["Content-Encoding"] == coding and "Accept-Encoding" in response["Vary"]
        assert len(response.content) < len(plain) / 2
        assert decode(response.content).count(b"<tr") == plain.count(b"<tr")
    assert "Content-Encoding" not in onm_client.get("/customers/", headers={"accept-encoding": "zstd;q=0, br;q=0"})


def test_a_pdf_is_not_compressed_again(onm_client, settings):
    from django.http import HttpResponse
    from django.test import RequestFactory

    from ccportal.compression import CompressionMiddleware

    pdf = HttpResponse(b"%PDF-1.7 " + b"0" * 5000, content_type="application/pdf")
    request = RequestFactory().get("/", headers={"accept-encoding": "zstd, br, gzip"})
    assert not CompressionMiddleware(lambda r: pdf)(request).has_header("Content-Encoding")


def test_an_unchanged_page_answers_304_to_its_etag_whatever_its_csrf_mask(onm_client):
    first = onm_client.get("/customers/", headers={"accept-encoding": "gzip"})
    etag = first["ETag"]
    again = onm_client.get("/customers/", headers={"accept-encoding": "gzip", "if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    CustomerFactory(first_name="Changed")
    assert onm_client.get("/customers/", headers={"accept-encoding": "gzip", "if-none-match": etag}).status_code == 200


def test_the_service_worker_is_served_for_the_whole_site(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/" and response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert '"/static/css/app.css"' in body and '"/static/js/portal.js"' in body and '"/customers/new/field/"' in body


def test_the_status_says_whether_the_session_is_alive(client, onm_client):
    assert client.get("/field/status/").json() == {"authenticated": False, "csrf_token": ""}
    alive = onm_client.get("/field/status/")
    assert alive.json()["authenticated"] is True and len(alive.json()["csrf_token"]) == 64
    assert alive["Cache-Control"] == "no-store"


def test_every_page_loads_one_stylesheet_and_one_script_of_its_own(onm_client):
    pages = ["/", "/customers/", "/customers/new/", "/customers/new/field/", "/field/", "/reports/om/", "/login/"]
    for url in [*pages, "/messages/", "/messages/templates/"]:  # no per-section stylesheet either
        body = onm_client.get(url, follow=True).content.decode()
        assert body.count('rel="stylesheet"') == 1 and body.count("/static/js/") == 1, url

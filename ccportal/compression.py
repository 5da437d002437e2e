"""Compressed HTML and JSON from the portal itself, so a deployment without a proxy sends small pages too.

Brotli or Zstandard when the browser accepts them (Chromium sends "br" and "zstd" over HTTPS and to localhost), else gzip
(Django's GZipMiddleware, which also adds the random filler that blunts BREACH length guessing). Static files
are not compressed here: WhiteNoise serves them from its own precompressed copies, before this middleware runs.
See README, "In the field", for BREACH: why compressing pages that carry a CSRF token is acceptable here."""

import hashlib
import re

from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers

try:
    import zstandard
except ImportError:  # optional: gzip still works
    zstandard = None
try:
    import brotli
except ImportError:
    brotli = None

MIN_BYTES = 200
# Text only: PDFs, XLSX and images are compressed already (or not worth the processor on a 2-core server).
TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/xml", "image/svg+xml")
_TOKEN = re.compile(r"(?:^|,)\s*([a-z0-9-]+)\s*(?:;\s*q\s*=\s*([0-9.]+))?", re.IGNORECASE)


def _accepted(header):
    """The codings of an Accept-Encoding header that the client did not refuse with q=0."""
    accepted = set()
    for coding, quality in _TOKEN.findall(header or ""):
        try:
            if quality and float(quality) <= 0:
                continue
        except ValueError:
            continue
        accepted.add(coding.lower())
    return accepted


class CompressionMiddleware(GZipMiddleware):
    """GZipMiddleware, with br or zstd first when the client accepts them and the package is installed.

    Brotli first: at quality 5 it is about 8 % smaller than zstd level 6 on our pages (its built-in dictionary knows
    HTML; the O&M report: 14.0 KB against 15.2 KB) for about 1 ms on a 100 KB page."""

    def process_response(self, request, response):
        if response.streaming or response.has_header("Content-Encoding") or len(response.content) < MIN_BYTES:
            return response
        if not response.get("Content-Type", "").startswith(TEXT_TYPES):
            return response
        accepted = _accepted(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        if brotli is not None and "br" in accepted:
            return self._encoded(response, "br", brotli.compress(response.content, quality=5))
        if zstandard is not None and "zstd" in accepted:
            return self._encoded(response, "zstd", zstandard.ZstdCompressor(level=6).compress(response.content))
        return super().process_response(request, response)

    @staticmethod
    def _encoded(response, coding, content):
        patch_vary_headers(response, ("Accept-Encoding",))
        if len(content) >= len(response.content):
            return response
        response.content = content
        response["Content-Length"] = str(len(content))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response["ETag"] = "W/" + etag  # the bytes differ from the identity coding's
        response["Content-Encoding"] = coding
        return response


# The CSRF token in a page is masked afresh for every response (BREACH), so a page's bytes differ on each request
# even when nothing in it changed. The ETag is taken over the page with those tokens blanked: a browser whose copy
# matches gets 304 and keeps its copy, whose older masked token stays valid for the same session.
_CSRF_VALUES = re.compile(rb'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[A-Za-z0-9]{32,64}')


class PageETagMiddleware:
    """An ETag for HTML pages that ignores the per-response CSRF mask (ConditionalGetMiddleware, above it in
    MIDDLEWARE, answers 304 when the browser's If-None-Match matches)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and not response.streaming
            and not response.has_header("ETag")
            and response.get("Content-Type", "").startswith("text/html")
        ):
            digest = hashlib.blake2b(_CSRF_VALUES.sub(rb"\1", response.content), digest_size=16).hexdigest()
            response["ETag"] = f'"{digest}"'
        return response

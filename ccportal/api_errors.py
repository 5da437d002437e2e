"""Errors under /api/ are JSON with a human "detail", whatever produced them and whether DEBUG is on or off.

DRF already answers its own refusals as {"detail": ...}. What it does not cover: Django's 404 for an unknown path
(an HTML page, or the technical page with DEBUG), a server error (the 500 page or the traceback page), Django's
CSRF page, a redirect to add a trailing slash, and validation errors, which are {field: [messages]} with no
"detail" for a client that shows only that. ApiErrorsMiddleware rewrites each such answer on its way out; the
status and the headers stay as they were (the server error is logged by Django before it gets here)."""

import json

from django.middleware.common import CommonMiddleware as DjangoCommonMiddleware
from django.urls import Resolver404, resolve

API_PREFIX = "/api/"
SERVER_ERROR = "A server error occurred."
NOT_FOUND = "Not found."


def is_api_request(request):
    return request.path_info.startswith(API_PREFIX)


class CommonMiddleware(DjangoCommonMiddleware):
    """Django's CommonMiddleware without APPEND_SLASH under /api/: an API client gets a JSON 404 naming the path
    that exists instead of a redirect (which a POST cannot follow, and which is a server error with DEBUG)."""

    def should_redirect_with_slash(self, request):
        return not is_api_request(request) and super().should_redirect_with_slash(request)


def errors_summary(errors, prefix=""):
    """One readable sentence from DRF's field errors: {"quarter": ["..."], "non_field_errors": ["..."]} →
    "quarter: ... ..."; nested serializers give dotted names."""
    if isinstance(errors, dict):
        parts = []
        for field, value in errors.items():
            is_general = field in ("non_field_errors", "detail")
            name = prefix if is_general else (f"{prefix}.{field}" if prefix else str(field))
            parts.append(errors_summary(value, name))
        return " ".join(part for part in parts if part)
    if isinstance(errors, list):
        messages = " ".join(part for part in (errors_summary(item) for item in errors) if part)
        return f"{prefix}: {messages}" if prefix and messages else messages
    return f"{prefix}: {errors}" if prefix else str(errors)


def _other_slash_variant(path):
    """The same path with the trailing slash added or removed, if that path exists."""
    other = path[:-1] if path.endswith("/") else path + "/"
    try:
        resolve(other)
    except Resolver404:
        return None
    return other


def _detail_for(request, response):
    status = response.status_code
    if status == 404:
        other = _other_slash_variant(request.path_info)
        script_prefix = request.path[: len(request.path) - len(request.path_info)]
        return f"{NOT_FOUND} Did you mean {script_prefix}{other}?" if other else NOT_FOUND
    if status == 405:
        return f'Method "{request.method}" not allowed.'
    if status >= 500:
        return SERVER_ERROR
    return f"{response.reason_phrase}."


def _json_body(response):
    if not response.get("Content-Type", "").startswith("application/json"):
        return None
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        return None


class ApiErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code >= 400 and is_api_request(request) and not response.streaming:
            if not response.has_header("Content-Encoding"):
                self._as_json_error(request, response)
        return response

    @staticmethod
    def _as_json_error(request, response):
        body = _json_body(response)
        if isinstance(body, dict) and isinstance(body.get("detail"), str):
            return
        if isinstance(body, dict) and body:
            body = {**body, "detail": errors_summary(body) or _detail_for(request, response)}
        elif isinstance(body, list) and body:
            body = {"non_field_errors": body, "detail": errors_summary(body)}
        else:
            body = {"detail": _detail_for(request, response)}
        response.content = json.dumps(body).encode()
        response["Content-Type"] = "application/json"
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))

"""Control characters stop at the edge: stripped from every query and form parameter, refused in the path.

One mechanism for every view, form and database: a NUL in a search, a filter, a Tables filter or an export's
parameters made PostgreSQL fail ("A string literal cannot contain NUL") and cut a streamed CSV. Tabs and line
breaks stay (a textarea's reason may hold them); other C0 controls and DEL are removed
(ccportal.normalize.control_characters_strip). JSON bodies are the API serializers' to refuse (their CharFields
refuse NUL)."""

import re

from django.http import HttpResponseBadRequest, QueryDict

from ccportal.normalize import control_characters_strip

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_control(text):
    return bool(_CONTROL.search(text))


def _querydict_cleaned(params):
    """``params`` itself when clean (the common case costs one scan), else a copy with the controls stripped."""
    if not any(_has_control(key) or any(_has_control(v) for v in values) for key, values in params.lists()):
        return params
    cleaned = QueryDict(mutable=True, encoding=params.encoding)
    for key, values in params.lists():
        cleaned.setlist(control_characters_strip(key), [control_characters_strip(v) for v in values])
    cleaned._mutable = False
    return cleaned


class ControlCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_control(request.path_info):
            return HttpResponseBadRequest("The address contains control characters.", content_type="text/plain")
        request.GET = _querydict_cleaned(request.GET)
        # API bodies are left unread: their serializers refuse NUL, and a view may need the raw body (an HMAC).
        if request.method == "POST" and request.content_type in _FORM_TYPES and not request.path_info.startswith("/api/"):
            request.POST = _querydict_cleaned(request.POST)
            for upload in request.FILES.values():
                if upload.name and _has_control(upload.name):
                    upload.name = control_characters_strip(upload.name, multiline=False)
        return self.get_response(request)

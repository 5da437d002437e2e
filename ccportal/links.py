"""Row links without a `reverse()` per row: a named URL with one argument is reversed once and then filled in.

A list page links every row (and every account chip in it); `{% url %}` walks the resolver each time, which
was a quarter of the customer list's rendering. `link_maker(name, *args)` gives the same URLs as
`reverse(name, args=[*args, value])` for the values a page links (ids, account numbers) at the cost of string
formatting."""

from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import url_has_allowed_host_and_scheme

# Digits, so that an <int:…> and a <str:…> converter alike accept it, and unlikely to occur elsewhere in a path.
_PLACEHOLDER = "7301946285"
# What reverse() leaves unquoted in a path (django.urls.resolvers: RFC 3986 sub-delimiters and "/~:@").
_SAFE = "!$&'()*+,;=/~:@"


@lru_cache(maxsize=64)
def _halves(name, args, urlconf, script_prefix):
    url = reverse(name, args=[*args, _PLACEHOLDER], urlconf=urlconf)
    if url.count(_PLACEHOLDER) != 1:
        raise ValueError(f"{name}: cannot template a URL in which the placeholder appears {url.count(_PLACEHOLDER)} times")
    head, _, tail = url.partition(_PLACEHOLDER)
    return head, tail


def url_context():
    """What a reversed URL depends on besides its name and arguments: the URL configuration and the script
    prefix. Caches of reversed URLs are keyed by it, so they stay right inside and outside a request."""
    return get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()


def link_maker(name, *args):
    """A function of one value giving the URL named ``name`` for ``args`` followed by that value (reversed
    once per URL configuration and script prefix, so it is right inside and outside a request)."""
    head, tail = _halves(name, args, *url_context())

    def link(value):
        return f"{head}{quote(str(value), safe=_SAFE)}{tail}"

    return link


def local_next(request, default):
    """The form's ``next`` when it is a path on this site ("/…", not "//host" nor "/\\host", which browsers read
    as another host), else ``default``: where a POST returns to the page it was sent from."""
    target = request.POST.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return target
    return default

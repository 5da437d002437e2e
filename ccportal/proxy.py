"""The client's address behind the reverse proxy, for the login lockout (settings.AXES_CLIENT_IP_CALLABLE)."""

import ipaddress
import re

from django.conf import settings

_BRACKETED = re.compile(r"^\[(?P<host>[^\]]+)\](?::\d{1,5})?$")  # [2001:db8::1]:443, [::1]
_WITH_PORT = re.compile(r"^(?P<host>[0-9.]+):\d{1,5}$")  # 203.0.113.9:5555


def address_parse(text):
    """The address in ``text`` in its canonical form, or None for anything that is not one: a port is cut off
    (203.0.113.9:5555, [2001:db8::1]:443), an IPv6 zone (%eth0) dropped; "unknown", "not-an-ip", obfuscated
    identifiers (RFC 7239 "_hidden") and empty text are None."""
    text = (text or "").strip().strip('"')
    match = _BRACKETED.match(text) or _WITH_PORT.match(text)
    if match:
        text = match["host"]
    text = text.split("%", 1)[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def client_ip(request):
    """REMOTE_ADDR, or with CC_PROXY_COUNT = N > 0 the N-th address from the right of X-Forwarded-For: each
    trusted proxy appends the address it received the request from, so entries further left may be forged.
    Behind one Caddy on the same machine every REMOTE_ADDR is 127.0.0.1, and without this a lockout of one
    employee number would hold for every address.

    An entry that is no address ("unknown", "not-an-ip") is treated as unknown: the lockout then keys on the
    proxy's address, so such requests share one lockout and none fails (the lockout's table stores addresses,
    and PostgreSQL refuses text that is not one)."""
    remote = address_parse(request.META.get("REMOTE_ADDR"))
    count = settings.CC_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    return address_parse(forwarded[-count]) or remote

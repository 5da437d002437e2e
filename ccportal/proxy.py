"""The client's address behind the reverse proxy, for the login lockout (settings.AXES_CLIENT_IP_CALLABLE)."""

from django.conf import settings


def client_ip(request):
    """REMOTE_ADDR, or with CC_PROXY_COUNT = N > 0 the N-th address from the right of X-Forwarded-For: each
    trusted proxy appends the address it received the request from, so entries further left may be forged.
    Behind one Caddy on the same machine every REMOTE_ADDR is 127.0.0.1, and without this a lockout of one
    employee number would hold for every address."""
    remote = request.META.get("REMOTE_ADDR")
    count = settings.CC_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]

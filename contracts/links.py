"""Signed, expiring links to one contract version (for the SMS): the only way in without a login."""

from datetime import timedelta
from urllib.parse import urljoin

from django.conf import settings
from django.core import signing
from django.urls import reverse

_SALT = "contracts.contract-link"


def _signer():
    return signing.TimestampSigner(salt=_SALT)


def link_max_age():
    return timedelta(days=settings.CC_CONTRACT["link_max_age_days"])


def contract_link_token(version):
    return _signer().sign(str(version.pk))


def contract_link_version_id(token):
    """The contract version a token names. Raises signing.SignatureExpired for an old link and
    signing.BadSignature for a tampered or made-up one."""
    value = _signer().unsign(token, max_age=link_max_age())
    if not value.isdigit():
        raise signing.BadSignature("not a contract link")
    return int(value)


def contract_link_url(version, *, base_url=""):
    """The absolute link to one contract version: on settings.CC_CONTRACT["public_base_url"] when set (the
    address customers can reach), else on ``base_url`` (the address the officer used)."""
    path = reverse("contracts:signed_download", args=[contract_link_token(version)])
    base = settings.CC_CONTRACT.get("public_base_url") or base_url or ""
    return urljoin(base, path) if base else path

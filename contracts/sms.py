"""Pluggable SMS senders: settings.CC_SMS_BACKEND names one (logging by default, HTTP for the company gateway)."""

import logging
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

from ccportal.logs import secrets_redact

logger = logging.getLogger("contracts.sms")


class SmsError(Exception):
    """The message was not accepted; the text says why and is recorded on the commissioning."""


class LoggingSmsBackend:
    """Writes the message to the log instead of sending it (development and tests)."""

    def send(self, *, number, message):
        logger.info("SMS to %s: %s", number, secrets_redact(message))  # the signed link is a credential


class HttpSmsBackend:
    """The company's SMS gateway: GET settings.CC_SMS_HTTP_URL?number=266XXXXXXXX&message=...&type=welcome.

    Any answer other than 2xx, or no answer within settings.CC_SMS_HTTP_TIMEOUT seconds, is a failure."""

    def send(self, *, number, message):
        url = settings.CC_SMS_HTTP_URL
        if not url:
            raise SmsError("No SMS gateway is configured (setting CC_SMS_HTTP_URL).")
        query = urllib.parse.urlencode({"number": number.lstrip("+"), "message": message, "type": "welcome"})
        full_url = f"{url}{'&' if '?' in url else '?'}{query}"
        try:
            with urllib.request.urlopen(full_url, timeout=settings.CC_SMS_HTTP_TIMEOUT) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            raise SmsError(f"The SMS gateway answered {exc.code} {exc.reason}.") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SmsError(f"The SMS gateway could not be reached: {reason}.") from exc
        if not 200 <= status < 300:
            raise SmsError(f"The SMS gateway answered {status}.")


def sms_backend():
    try:
        return import_string(settings.CC_SMS_BACKEND)()
    except ImportError as exc:
        raise SmsError(f"The SMS sender {settings.CC_SMS_BACKEND!r} does not exist (setting CC_SMS_BACKEND).") from exc

"""The SMS gateways, chosen by settings.CC_SMS_BACKEND: the development backend (sends nothing and says so),
Africa's Talking through its official SDK, and the company's HTTP gateway (POST, the text in the body).

A gateway's send(number=..., text=...) returns a Sent or raises GatewayError (retryable or not). No gateway
ever writes the text of a message to a log: it can hold a signed link or a balance."""

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("messaging.gateways")

DEVELOPMENT_REASON = "not sent: development backend"


@dataclass(frozen=True)
class Sent:
    provider_message_id: str = ""
    delivered_by_gateway: bool = False  # the development backend: nothing left to wait for
    development: bool = False


class GatewayError(Exception):
    """The gateway did not take the message. ``retryable``: worth trying again later (down, busy, rate limit)."""

    def __init__(self, reason, *, retryable):
        super().__init__(reason)
        self.reason = str(reason)[:500]
        self.retryable = retryable


class DevelopmentGateway:
    """The default: nothing leaves the machine. Messages end as "Not sent: development backend"."""

    name = "development"

    def send(self, *, number, text):
        logger.info("SMS to %s not sent: development backend (%d characters)", number, len(text))
        return Sent(development=True)


# Africa's Talking per-recipient status codes (SMSMessageData.Recipients[].statusCode).
AT_ACCEPTED = {100: "Processed", 101: "Sent", 102: "Queued"}
AT_RETRYABLE = {
    401: "RiskHold",
    405: "InsufficientBalance",
    407: "CouldNotRoute",
    500: "InternalServerError",
    501: "GatewayError",
}
AT_PERMANENT = {
    402: "InvalidSenderId",
    403: "InvalidPhoneNumber",
    404: "UnsupportedNumberType",
    406: "UserInBlacklist",
    409: "DoNotDisturbRejection",
    502: "RejectedByGateway",
}


class AfricasTalkingGateway:
    """Africa's Talking bulk SMS through the `africastalking` SDK: POST {base}/version1/messaging with the form
    fields username, to, message, bulkSMSMode (and from: the sender ID) and the header apiKey.

    Settings: CC_SMS_AT_USERNAME, CC_SMS_AT_API_KEY, CC_SMS_AT_SENDER_ID (empty: the shared default),
    CC_SMS_AT_SANDBOX (the SDK sends to the sandbox when the username is "sandbox"), CC_SMS_AT_BASE_URL
    (empty: the SDK's own address; tests point it at a local fake), CC_SMS_TIMEOUT (seconds)."""

    name = "africastalking"

    def __init__(self):
        from africastalking.SMS import SMSService

        username = "sandbox" if settings.CC_SMS_AT_SANDBOX else settings.CC_SMS_AT_USERNAME
        if not username or not settings.CC_SMS_AT_API_KEY:
            raise GatewayError("Africa's Talking is not configured (CC_SMS_AT_USERNAME, CC_SMS_AT_API_KEY).", retryable=False)
        self.service = SMSService(username, settings.CC_SMS_AT_API_KEY)
        if settings.CC_SMS_AT_BASE_URL:
            self.service._baseUrl = settings.CC_SMS_AT_BASE_URL.rstrip("/") + "/version1"

    def send(self, *, number, text):
        import requests
        from africastalking.Service import AfricasTalkingException

        timeout = settings.CC_SMS_TIMEOUT
        try:
            answer = self.service.send(text, [number], sender_id=settings.CC_SMS_AT_SENDER_ID or None, timeout=(timeout, timeout))
        except ValueError as exc:  # the SDK's own check of the number
            raise GatewayError(f"Africa's Talking refused the number: {exc}", retryable=False) from None
        except AfricasTalkingException as exc:  # any answer but 2xx: the SDK gives its body only
            body = str(exc).strip().replace("\n", " ")[:200] or "no reason given"
            raise GatewayError(f"Africa's Talking answered an error: {body}", retryable=True) from None
        except requests.RequestException as exc:
            raise GatewayError(f"Africa's Talking could not be reached: {type(exc).__name__}", retryable=True) from None
        if isinstance(answer, str):
            try:
                answer = json.loads(answer)
            except ValueError:
                raise GatewayError("Africa's Talking answered something that is not JSON.", retryable=True) from None
        try:
            recipient = answer["SMSMessageData"]["Recipients"][0]
            code = int(recipient.get("statusCode"))
        except (KeyError, IndexError, TypeError, ValueError):
            summary = str((answer or {}).get("SMSMessageData", {}).get("Message", ""))[:200] if isinstance(answer, dict) else ""
            raise GatewayError(
                f"Africa's Talking did not accept the message: {summary or 'no recipient in the answer'}", retryable=True
            ) from None
        status = str(recipient.get("status", ""))
        if code in AT_ACCEPTED:
            return Sent(provider_message_id=str(recipient.get("messageId", ""))[:100])
        if code in AT_PERMANENT:
            raise GatewayError(f"Africa's Talking: {status or AT_PERMANENT[code]} ({code})", retryable=False)
        raise GatewayError(f"Africa's Talking: {status or AT_RETRYABLE.get(code, 'error')} ({code})", retryable=True)


class CompanyHttpGateway:
    """The company's own SMS gateway: POST CC_SMS_HTTP_URL with the form fields number (266XXXXXXXX), message and
    type, and the header Authorization: Bearer CC_SMS_HTTP_TOKEN when set. The text is only ever in the body.
    2xx is accepted (a JSON answer's "id" is kept as the provider's message id); 408, 429 and 5xx are retried;
    any other 4xx is a failure."""

    name = "company_http"

    def send(self, *, number, text):
        url = settings.CC_SMS_HTTP_URL
        if not url:
            raise GatewayError("No company SMS gateway is configured (CC_SMS_HTTP_URL).", retryable=False)
        body = urllib.parse.urlencode({"number": number.lstrip("+"), "message": text, "type": "customer"}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Accept": "application/json"}
        if settings.CC_SMS_HTTP_TOKEN:
            headers["Authorization"] = f"Bearer {settings.CC_SMS_HTTP_TOKEN}"
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=settings.CC_SMS_TIMEOUT) as response:  # noqa: S310
                content = response.read(4096)
        except urllib.error.HTTPError as exc:
            retryable = exc.code in (408, 429) or exc.code >= 500
            raise GatewayError(f"The company SMS gateway answered {exc.code} {exc.reason}.", retryable=retryable) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise GatewayError(f"The company SMS gateway could not be reached: {reason}.", retryable=True) from None
        try:
            provider_id = str(json.loads(content or b"{}").get("id", ""))[:100]
        except (ValueError, AttributeError):
            provider_id = ""
        return Sent(provider_message_id=provider_id)


GATEWAYS = {
    "development": "messaging.gateways.DevelopmentGateway",
    "africastalking": "messaging.gateways.AfricasTalkingGateway",
    "company_http": "messaging.gateways.CompanyHttpGateway",
}


def gateway_name():
    return settings.CC_SMS_BACKEND


def gateway():
    """The configured gateway (a short name of GATEWAYS or a dotted path)."""
    path = GATEWAYS.get(settings.CC_SMS_BACKEND, settings.CC_SMS_BACKEND)
    try:
        return import_string(path)()
    except ImportError:
        raise GatewayError(
            f"The SMS backend {settings.CC_SMS_BACKEND!r} does not exist (CC_SMS_BACKEND).", retryable=False
        ) from None


def is_development():
    return GATEWAYS.get(settings.CC_SMS_BACKEND, settings.CC_SMS_BACKEND) == GATEWAYS["development"]

"""Fixtures for the messaging tests: the fake gateways, a customer with an account, quick retries."""

from decimal import Decimal

import pytest

from tests.factories import AccountNumberFactory, TariffRateFactory, aware
from tests.messaging.fakes import FakeAfricasTalking, FakeCompanyGateway


@pytest.fixture(autouse=True)
def messaging_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.CC_SMS_BACKEND = "development"
    settings.CC_SMS_TIMEOUT = 1.0
    settings.CC_SMS_MAX_ATTEMPTS = 3
    settings.CC_SMS_RETRY_SECONDS = 30.0
    settings.CC_SMS_CALLBACK_SECRET = "callback-secret-123"
    settings.CC_LOW_BALANCE_QUIET_HOURS = ""
    return settings


@pytest.fixture
def fake_at(settings):
    server = FakeAfricasTalking().start()
    settings.CC_SMS_BACKEND = "africastalking"
    settings.CC_SMS_AT_USERNAME = server.username
    settings.CC_SMS_AT_API_KEY = server.api_key
    settings.CC_SMS_AT_SENDER_ID = "1PWR"
    settings.CC_SMS_AT_BASE_URL = server.url
    yield server
    server.stop()


@pytest.fixture
def fake_company(settings):
    server = FakeCompanyGateway(token="company-token").start()
    settings.CC_SMS_BACKEND = "company_http"
    settings.CC_SMS_HTTP_URL = f"{server.url}/send"
    settings.CC_SMS_HTTP_TOKEN = "company-token"
    yield server
    server.stop()


@pytest.fixture
def account(db):
    TariffRateFactory(rate_lsl=Decimal("5.00"), effective_from=aware(2019, 1, 1))
    return AccountNumberFactory(accountnumber="0045MAK", customer__first_name="Palesa", customer__phone="5775 5403")

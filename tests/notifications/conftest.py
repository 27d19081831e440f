"""Fixtures several notifications test files share: a fake SMS gateway on localhost."""

import pytest

from tests.fake_gateway import fake_gateway


@pytest.fixture
def http_sms(settings):
    with fake_gateway() as gateway:
        settings.SMS_BACKEND = "notifications.channels.HttpSMSBackend"
        settings.SMS_GATEWAY_URL = gateway.url
        settings.SMS_GATEWAY_AUTH_HEADER = "Authorization: Bearer test-key"
        settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
        yield gateway

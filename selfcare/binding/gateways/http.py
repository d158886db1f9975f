"""An HTTP SMS gateway: POST `{"to", "text"}` as JSON with a bearer token, answered 2xx `{"id": …}`.

The text holds a one-time code, so neither it nor the gateway's answer body (which may echo it) goes into an
error; the token and the code travel only over https outside DEBUG.
"""

from __future__ import annotations

from typing import ClassVar

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from selfcare import tls
from selfcare.binding.sms import SmsError, SmsTimeout


class HttpGateway:
    keeps_text: ClassVar[bool] = False

    def __init__(self) -> None:
        url: str = settings.SMS_HTTP_URL
        if not url:
            raise ImproperlyConfigured("SMS_BACKEND=http needs SMS_HTTP_URL.")
        if not url.startswith("https://") and not settings.DEBUG:
            raise ImproperlyConfigured("SMS_HTTP_URL must be https:// (plain http only with DEBUG).")
        self.url = url

    def send(self, to: str, text: str) -> str:
        try:
            response = httpx.post(
                self.url,
                json={"to": to, "text": text},
                headers={"Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}"},
                timeout=settings.SMS_HTTP_TIMEOUT,
                verify=tls.client_context(),
            )
        except httpx.TimeoutException as error:
            raise SmsTimeout(f"SMS gateway unreachable: {type(error).__name__}") from None
        except httpx.HTTPError as error:
            raise SmsError(f"SMS gateway unreachable: {type(error).__name__}") from None
        if not response.is_success:
            raise SmsError(f"SMS gateway answered HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError:
            raise SmsError("SMS gateway answered without JSON") from None
        message_id = answer.get("id") if isinstance(answer, dict) else None
        if not isinstance(message_id, str | int) or isinstance(message_id, bool) or not str(message_id):
            raise SmsError('SMS gateway answered without an "id"')
        return str(message_id)[:100]

"""Billing API configuration from settings (docs/billing.md), validated when first used.

The demo points at the simulator service; production must name the operator's TMF678 API over https with a token
of its own: the demo's token is public in this repository.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from selfcare.settings_cache import settings_cached

DEMO_TOKEN = "demo-billing-token"  # noqa: S105 - the simulator's public token, refused outside the demo
DEMO_PATH = "/simulators/billing/tmf-api/customerBillManagement/v4/"


@dataclass(frozen=True)
class BillingConfig:
    api_url: str  # ends with "/", e.g. https://bss.example/tmf-api/customerBillManagement/v4/
    token: str
    timeout_s: float


@settings_cached
def billing_config() -> BillingConfig:
    demo = settings.SELFCARE_DEMO
    api_url = settings.BILLING_API_URL or (f"{settings.SELFCARE_SIMULATORS_URL}{DEMO_PATH}" if demo else "")
    token = settings.BILLING_API_TOKEN or (DEMO_TOKEN if demo else "")
    problems = []
    if not api_url:
        problems.append("BILLING_API_URL is not set (e.g. https://bss.example/tmf-api/customerBillManagement/v4/).")
    elif not api_url.startswith("https://") and not demo:
        problems.append("BILLING_API_URL must use https:// outside the demo.")
    if not demo and token in ("", DEMO_TOKEN):
        problems.append("BILLING_API_TOKEN must be the token the billing system issued to the portal.")
    if settings.BILLING_TIMEOUT_SECONDS <= 0:
        problems.append("BILLING_TIMEOUT_SECONDS must be more than 0.")
    if problems:
        raise ImproperlyConfigured("Billing configuration:\n- " + "\n- ".join(problems))
    return BillingConfig(
        api_url=api_url if api_url.endswith("/") else api_url + "/",
        token=token,
        timeout_s=settings.BILLING_TIMEOUT_SECONDS,
    )

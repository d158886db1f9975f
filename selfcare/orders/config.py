"""Where the operator's ordering (TMF622) and catalogue (TMF620) systems are, and the callback's shared secret.

In the demo every URL defaults to the simulator (selfcare/simulators/tmf/) on the simulator service at
SELFCARE_SIMULATORS_URL, and the callback the simulator posts to is the portal's at SELFCARE_PORTAL_URL; the demo's
secret is public in this repository, so outside the demo it is refused, like an unset URL (docs/ordering.md).
Read at each use, not cached: cheap, and tests point it elsewhere with settings overrides.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.checks import CheckMessage
from django.core.exceptions import ImproperlyConfigured

DEMO_CALLBACK_SECRET = "demo-ordering-callback-secret-public-in-the-repository"  # noqa: S105 - refused outside the demo
DEMO_API_TOKEN = "demo-ordering-token"  # noqa: S105 - refused outside the demo
SIMULATOR_PATH = "/simulators/tmf/tmf-api"


@dataclass(frozen=True, slots=True)
class OrderingConfig:
    ordering_url: str  # ends with "/": e.g. https://oss.example/tmf-api/productOrderingManagement/v4/
    catalogue_url: str  # e.g. https://oss.example/tmf-api/productCatalogManagement/v4/
    inventory_url: str  # e.g. https://oss.example/tmf-api/resourceInventoryManagement/v4/
    token: str
    callback_url: str
    callback_secret: str
    register_hub: bool
    timeout: float


def _slash(url: str) -> str:
    return url if not url or url.endswith("/") else url + "/"


def ordering_config() -> OrderingConfig:
    demo = settings.SELFCARE_DEMO
    base = settings.SELFCARE_SIMULATORS_URL
    config = OrderingConfig(
        ordering_url=_slash(
            settings.ORDERING_API_URL or (f"{base}{SIMULATOR_PATH}/productOrderingManagement/v4/" if demo else "")
        ),
        catalogue_url=_slash(
            settings.CATALOGUE_API_URL or (f"{base}{SIMULATOR_PATH}/productCatalogManagement/v4/" if demo else "")
        ),
        inventory_url=_slash(
            settings.SIM_INVENTORY_API_URL
            or (f"{base}{SIMULATOR_PATH}/resourceInventoryManagement/v4/" if demo else "")
        ),
        token=settings.ORDERING_API_TOKEN or (DEMO_API_TOKEN if demo else ""),
        callback_url=settings.ORDERING_CALLBACK_URL
        or (f"{settings.SELFCARE_PORTAL_URL}/orders/callback/" if demo else ""),
        callback_secret=settings.ORDERING_CALLBACK_SECRET or (DEMO_CALLBACK_SECRET if demo else ""),
        register_hub=settings.ORDERING_REGISTER_HUB,
        timeout=settings.ORDERING_TIMEOUT_SECONDS,
    )
    problems = ordering_problems(config, demo=demo)
    if problems:
        raise ImproperlyConfigured("Ordering configuration:\n- " + "\n- ".join(problems))
    return config


def ordering_problems(config: OrderingConfig, *, demo: bool) -> list[str]:
    problems = []
    urls = (
        ("ORDERING_API_URL", config.ordering_url),
        ("CATALOGUE_API_URL", config.catalogue_url),
        ("SIM_INVENTORY_API_URL", config.inventory_url),
    )
    for name, url in urls:
        if not url:
            problems.append(f"{name} is not set (the operator's TMF622 / TMF620 endpoint, see docs/ordering.md).")
        elif not demo and not url.startswith("https://"):
            problems.append(f"{name} must use https:// outside the demo.")
    if not demo:
        if config.callback_secret in ("", DEMO_CALLBACK_SECRET) or len(config.callback_secret) < 32:
            problems.append("ORDERING_CALLBACK_SECRET must be the secret shared with the operator, 32+ characters.")
        if config.token in ("", DEMO_API_TOKEN):
            problems.append("ORDERING_API_TOKEN must be the token the operator's order management gave the portal.")
        if any(SIMULATOR_PATH in url for _, url in urls):
            problems.append("ORDERING_API_URL / CATALOGUE_API_URL / SIM_INVENTORY_API_URL point at the simulator.")
    return problems


def deploy_check(**_: object) -> list[CheckMessage]:
    from django.core.checks import Error

    if settings.SELFCARE_DEMO:
        return []
    try:
        ordering_config()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="selfcare.orders.E001")]
    return []

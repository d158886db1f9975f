"""The simulator service's URLconf (`selfcare simulators`): every stand-in for an outside service, on its own port.

The portal never mounts these: it reaches each simulator only through its production client and the provider's
URL setting, which in the demo defaults to ``SELFCARE_SIMULATORS_URL`` + the mount below. A new simulator (the
operator's catalogue, ordering, billing …) is added to ``MOUNTS`` and nowhere else.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.urls import URLPattern, URLResolver, include, path

from selfcare.portal import views as portal_views

# (path under /simulators/, the simulator's URLconf module)
MOUNTS: list[tuple[str, str]] = [
    ("smartid/", "selfcare.simulators.smartid.urls"),
    ("eparaksts/", "selfcare.simulators.eparaksts.urls"),
    ("banks/", "selfcare.simulators.banks.urls"),
    ("sms/", "selfcare.simulators.sms.urls"),
    ("pki/", "selfcare.simulators.pki.urls"),
    ("tmf/", "selfcare.simulators.tmf.urls"),
    ("billing/", "selfcare.simulators.billing.urls"),
    ("wallet/", "selfcare.simulators.wallet.urls"),
    ("register/", "selfcare.simulators.register.urls"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", portal_views.healthz, name="healthz"),
    # The simulators' pages wear the operator's brand like the portal does (the same stylesheet, served here).
    path("brand.css", portal_views.brand_css, name="brand-css"),
    *(path(f"simulators/{prefix}", include(module)) for prefix, module in MOUNTS),
]


def _not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The outside services' own plain 404: the portal's error page (its layout, its links) is not theirs."""
    return HttpResponseNotFound("not found", content_type="text/plain; charset=utf-8")


handler404 = _not_found

"""Settings of the simulator service (`selfcare simulators`): the portal's, with the simulators' own URLconf.

The service shares the portal's database in the demo (the SMS simulator shows the portal's outbox, as an SMSC
would deliver it) but not its browser state: on one host, browsers send cookies to every port, so the
simulators' session and CSRF cookies have names of their own, and the portal's login middleware is left out.
"""

from selfcare.security.headers import content_security_policy
from selfcare.settings import *  # noqa: F403 - the portal's settings are the base this file changes
from selfcare.settings import BANKLINK, BRAND, CONTENT_SECURITY_POLICY, EPARAKSTS_URL, MIDDLEWARE, SELFCARE_PORTAL_URL

ROOT_URLCONF = "selfcare.simulators.urls"
SESSION_COOKIE_NAME = "selfcare_simulators_session"
CSRF_COOKIE_NAME = "selfcare_simulators_csrf"
MIDDLEWARE = [
    name
    for name in MIDDLEWARE
    if name
    not in (
        "selfcare.security.lifetime.SessionLifetimeMiddleware",
        "selfcare.security.middleware.SessionRegistryMiddleware",
        # The portal's own token endpoint; the simulators answer their providers' paths through their URLconf.
        "selfcare.channels.oidc.routing.TokenEndpointMiddleware",
    )
]
# The banks' answer pages post back to the portal, and eParaksts redirects to it after its own form.
CONTENT_SECURITY_POLICY = content_security_policy(
    form_targets=[SELFCARE_PORTAL_URL, EPARAKSTS_URL, *(bank["URL"] for bank in BANKLINK.values())],
    image_sources=[BRAND.logo_url],
    upgrade=bool(CONTENT_SECURITY_POLICY["DIRECTIVES"].get("upgrade-insecure-requests")),  # type: ignore[attr-defined]
)

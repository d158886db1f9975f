"""URL map. Pages are language-prefixed (/en/…, /ru/…; Latvian, the default, has no prefix).

The simulators are not here: they are their own service (`selfcare simulators`, selfcare/simulators/urls.py),
reached only through the providers' configured URLs, as real providers are.
"""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from selfcare.backoffice.site import backoffice_site
from selfcare.channels.api import api
from selfcare.feeds.api import api as feeds_api
from selfcare.orders import callback as orders_callback
from selfcare.portal import language
from selfcare.portal import views as portal_views

urlpatterns = [
    # For load balancers and orchestrators (docs/deployment.md): no language prefix, no login.
    path("healthz", portal_views.healthz, name="healthz"),
    path("readyz", portal_views.readyz, name="readyz"),
    path("brand.css", portal_views.brand_css, name="brand-css"),
    path("i18n/setlang/", language.switch_language, name="set_language"),
    path("backoffice/", backoffice_site.urls),
    # The OpenID provider (/.well-known/openid-configuration, /oauth/…) and the app API: outside the language
    # prefixes, since clients, not people, address them.
    path("", include("selfcare.channels.oidc.urls")),
    path("api/", api.urls),
    # The operator's mediation system posts usage here (bearer feed key); not language-prefixed, not for people.
    path("feeds/v1/", feeds_api.urls),
    # The operator's order management posts order events here (HMAC-signed); not language-prefixed, not for people.
    path("orders/callback/", orders_callback.order_event, name="orders-callback"),
]

urlpatterns += i18n_patterns(
    path("", include("selfcare.portal.urls")),
    prefix_default_language=False,
)

# A database or Redis that went away gives a translated 503 with Retry-After, not a stack trace.
handler500 = "selfcare.portal.unavailable.server_error"

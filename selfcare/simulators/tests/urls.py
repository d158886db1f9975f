"""For the simulators' own in-process tests only: the portal's URLs and the simulators' in one URLconf, so that
one test client can ask the portal for a signed request and hand it to a simulator. The demo and the live-server
tests serve the two apart (selfcare/simulators/urls.py)."""

from selfcare.simulators import urls as simulators
from selfcare.urls import urlpatterns as portal

urlpatterns = [*simulators.urlpatterns[2:], *portal]
handler500 = "selfcare.portal.unavailable.server_error"

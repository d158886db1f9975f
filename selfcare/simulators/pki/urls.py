"""The PKI simulator's URLs, mounted at ``/simulators/pki/`` in demo mode."""

from django.urls import path

from selfcare.simulators.pki import tsa, views

app_name = "pki-sim"

urlpatterns = [
    path("ocsp", views.ocsp, name="ocsp"),
    path("crl/<slug:label>.crl", views.crl, name="crl"),
    path("tsa", tsa.timestamp, name="tsa"),
]

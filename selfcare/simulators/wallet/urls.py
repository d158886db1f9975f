"""The wallet simulator, mounted at ``/simulators/wallet/`` in demo mode."""

from django.urls import path

from selfcare.simulators.wallet import views

app_name = "wallet-sim"

urlpatterns = [
    path("authorize", views.authorize, name="authorize"),
    path("answer", views.answer, name="answer"),
    path("status/pid", views.status, name="status"),
]

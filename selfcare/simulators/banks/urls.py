"""The simulated banks, mounted at ``/simulators/banks/`` in demo mode: ``<bank>/`` takes the portal's request."""

from django.urls import path

from selfcare.simulators.banks import views

app_name = "banks-sim"

urlpatterns = [
    path("<str:bank>/", views.login, name="login"),
    path("<str:bank>/confirm/", views.confirm, name="confirm"),
]

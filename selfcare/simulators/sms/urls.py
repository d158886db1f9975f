from django.urls import path

from selfcare.simulators.sms import views

app_name = "sms-simulator"

urlpatterns = [
    path("", views.numbers, name="numbers"),
    path("<str:msisdn>/", views.phone, name="phone"),
]

from django.urls import path

from selfcare.simulators.register import views

app_name = "register-simulator"

urlpatterns = [
    path("api/v1/legal-entities/<str:registration_number>/officers", views.officers, name="officers"),
]

from django.urls import path

from selfcare.simulators.billing import views

app_name = "billing-simulator"

BASE = "tmf-api/customerBillManagement/v4/"

urlpatterns = [
    path(f"{BASE}customerBill", views.bill_list, name="bills"),
    path(f"{BASE}customerBill/<str:bill_id>", views.bill_detail, name="bill"),
    path(f"{BASE}customerBill/<str:bill_id>/document.pdf", views.bill_document, name="document"),
]

from django.urls import path

from selfcare.simulators.tmf import views

app_name = "tmf-simulator"

urlpatterns = [
    path("tmf-api/productCatalogManagement/v4/productOffering", views.offerings, name="offerings"),
    path("tmf-api/productOrderingManagement/v4/productOrder", views.orders, name="orders"),
    path("tmf-api/productOrderingManagement/v4/productOrder/<str:order_id>", views.order, name="order"),
    path("tmf-api/productOrderingManagement/v4/hub", views.hub, name="hub"),
    path("tmf-api/resourceInventoryManagement/v4/resource", views.sim_resources, name="resources"),
]

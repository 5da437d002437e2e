"""URLs of the contracts app."""

from django.urls import path

from contracts import views

app_name = "contracts"
urlpatterns = [
    path("customers/<int:customer_id>/commission/", views.commission, name="commission"),
    path("commissioning/<int:pk>/", views.commissioning_page, name="commissioning_detail"),
    path("contracts/<int:pk>/download/", views.download, name="download"),
    path("contracts/link/<str:token>/", views.signed_download, name="signed_download"),
    path("contracts/signatory/", views.provider_signatory, name="provider_signatory"),
    path("contracts/signatory/signature.png", views.provider_signature_image, name="provider_signature_image"),
]

from django.urls import path

from messaging import api

urlpatterns = [
    path("delivery-report", api.DeliveryReportView.as_view(), name="api-message-delivery-report"),
    path("inbound", api.InboundView.as_view(), name="api-message-inbound"),
]

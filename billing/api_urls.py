"""Billing API, mounted at /api/payments/ by ccportal/api.py."""

from django.urls import path

from billing.api import IncomingPaymentView, PaymentLookupView

urlpatterns = [
    path("lookup", PaymentLookupView.as_view(), name="payments-lookup"),
    path("incoming", IncomingPaymentView.as_view(), name="payments-incoming"),
]

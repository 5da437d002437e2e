"""URLs of the billing app: tariffs, financial, payment import and lookup, Customer Data (accounts)."""

from django.urls import path

from billing import views

app_name = "billing"
urlpatterns = [
    path("tariffs/", views.tariffs, name="tariffs"),
    path("tariffs/set/", views.tariff_set, name="tariff_set"),
    path("tariffs/<int:pk>/end/", views.tariff_end, name="tariff_end"),
    path("financial/", views.financial, name="financial"),
    path("financial/download/", views.financial_download, name="financial_download"),
    path("payments/import/", views.payment_import, name="payment_import"),
    path("payments/import/<int:pk>/", views.payment_import_detail, name="payment_import_detail"),
    path("payments/import/<int:pk>/confirm/", views.payment_import_confirm, name="payment_import_confirm"),
    path("payments/lookup/", views.payment_lookup, name="payment_lookup"),
    path("payments/<int:pk>/assign/", views.payment_assign, name="payment_assign"),
    path("payments/<int:pk>/dismiss/", views.payment_dismiss, name="payment_dismiss"),
    path("accounts/", views.account_lookup, name="account_lookup"),
    path("accounts/<str:accountnumber>/", views.account_data, name="account_data"),
    path("accounts/<str:accountnumber>/ledger/add/", views.ledger_add, name="ledger_add"),
    path("accounts/<str:accountnumber>/ledger/<int:entry_id>/", views.ledger_edit, name="ledger_edit"),
    path("accounts/<str:accountnumber>/ledger/<int:entry_id>/delete/", views.ledger_delete, name="ledger_delete"),
]

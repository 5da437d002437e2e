"""URLs of the billing app: tariffs, financial, payment import and lookup, Customer Data (accounts)."""

from django.urls import path

from billing.views import customer_data, financial, intake, payments, tariffs

app_name = "billing"
urlpatterns = [
    path("tariffs/", tariffs.tariffs, name="tariffs"),
    path("tariffs/set/", tariffs.tariff_set, name="tariff_set"),
    path("tariffs/<int:pk>/end/", tariffs.tariff_end, name="tariff_end"),
    path("financial/", financial.financial, name="financial"),
    path("financial/download/", financial.financial_download, name="financial_download"),
    path("payments/import/", payments.payment_import, name="payment_import"),
    path(
        "payments/import/sample/<str:provider>.<str:file_format>",
        payments.payment_import_sample,
        name="payment_import_sample",
    ),
    path("payments/import/<int:pk>/", payments.payment_import_detail, name="payment_import_detail"),
    path("payments/lookup/", payments.payment_lookup, name="payment_lookup"),
    path("payments/<int:pk>/assign/", payments.payment_assign, name="payment_assign"),
    path("payments/<int:pk>/dismiss/", payments.payment_dismiss, name="payment_dismiss"),
    path("payments/intake/", intake.incoming_sms_list, name="incoming_sms_list"),
    path("payments/intake/<int:pk>/", intake.incoming_sms_detail, name="incoming_sms_detail"),
    path("payments/intake/<int:pk>/resolve/", intake.incoming_sms_resolve, name="incoming_sms_resolve"),
    path("payments/intake/<int:pk>/dismiss/", intake.incoming_sms_dismiss, name="incoming_sms_dismiss"),
    path("accounts/", customer_data.account_lookup, name="account_lookup"),
    path("accounts/<str:accountnumber>/", customer_data.account_data, name="account_data"),
    path("accounts/<str:accountnumber>/ledger/add/", customer_data.ledger_add, name="ledger_add"),
    path("accounts/<str:accountnumber>/ledger/<int:entry_id>/", customer_data.ledger_edit, name="ledger_edit"),
    path("accounts/<str:accountnumber>/ledger/<int:entry_id>/delete/", customer_data.ledger_delete, name="ledger_delete"),
]

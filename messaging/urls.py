"""URLs of customer messages."""

from django.urls import path

from messaging import views

app_name = "messaging"
urlpatterns = [
    path("messages/", views.message_list, name="list"),
    path("messages/<int:pk>/", views.message_detail, name="detail"),
    path("messages/<int:pk>/resend/", views.message_resend, name="resend"),
    path("messages/templates/", views.template_list, name="templates"),
    path("messages/templates/<str:kind>/<str:language>/", views.template_edit, name="template_edit"),
    path("messages/templates/<str:kind>/<str:language>/preview/", views.template_preview, name="template_preview"),
    path("messages/settings/", views.low_balance_settings, name="settings"),
    path("messages/settings/<int:pk>/delete/", views.low_balance_rule_delete, name="rule_delete"),
    path("messages/customer/<int:pk>/", views.customer_messages, name="customer_messages"),
    path("messages/customer/<int:pk>/preference/", views.customer_preference, name="customer_preference"),
    path("messages/customer/<int:pk>/send/", views.customer_message_send, name="customer_send"),
    path("receipts/<int:entry_id>.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("statements/<str:accountnumber>.pdf", views.statement_pdf, name="statement_pdf"),
]

"""URLs of the reports app: dashboard, O&M report, exports, audit and data tools."""

from django.urls import path

from reports import audit_urls, views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
urlpatterns += audit_urls.urlpatterns

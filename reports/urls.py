"""URLs of the reports app: dashboard, O&M report, exports, audit and data tools."""

from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]

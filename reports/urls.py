"""URLs of the reports app: dashboard, O&M report and exports."""

from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reports/om/", views.om, name="om"),
    path("reports/om/report.<str:file_format>", views.om_download, name="om_download"),
    path("reports/export/", views.export, name="export"),
    path("reports/export/<str:dataset>.<str:file_format>", views.export_download, name="export_download"),
]

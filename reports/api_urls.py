"""/api/om-report/<name> (mounted by ccportal.api); the names and paths of the old O&M portal."""

from django.urls import path

from reports.api import VIEWS

app_name = "om_report"
urlpatterns = [path(name, view, name=name) for name, view in VIEWS.items()]

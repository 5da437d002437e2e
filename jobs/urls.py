"""URLs of the jobs app: the Jobs page, one job, starting, cancelling and downloading."""

from django.urls import path

from jobs import views

app_name = "jobs"
urlpatterns = [
    path("jobs/", views.job_list, name="list"),
    path("jobs/<int:pk>/", views.job_detail, name="detail"),
    path("jobs/<int:pk>/cancel", views.job_cancel, name="cancel"),
    path("jobs/<int:pk>/download", views.job_download, name="download"),
    path("jobs/start/<slug:kind>", views.job_start, name="start"),
]

"""URLs of the data tools: Mutations, Tables and Sync."""

from django.urls import path

from datatools import views

app_name = "datatools"
urlpatterns = [
    path("mutations/", views.mutations, name="mutations"),
    path("mutations/<str:table>/<int:history_id>/", views.mutation_detail, name="mutation"),
    path("mutations/<str:table>/<int:history_id>/revert/", views.mutation_revert, name="mutation_revert"),
    path("tables/", views.tables_index, name="tables"),
    path("tables/<str:table>/", views.table_browse, name="table"),
    path("tables/<str:table>/export.csv", views.table_export, name="table_export"),
    path("sync/", views.sync, name="sync"),
    path("sync/runs/<int:run_id>/", views.sync_run, name="sync_run"),
]

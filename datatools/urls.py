"""URLs of the data tools: Mutations, Tables and Sync."""

from django.urls import path

from datatools import views as audit_views

app_name = "datatools"
urlpatterns = [
    path("mutations/", audit_views.mutations, name="mutations"),
    path("mutations/<str:table>/<int:history_id>/", audit_views.mutation_detail, name="mutation"),
    path("mutations/<str:table>/<int:history_id>/revert/", audit_views.mutation_revert, name="mutation_revert"),
    path("tables/", audit_views.tables_index, name="tables"),
    path("tables/<str:table>/", audit_views.table_browse, name="table"),
    path("tables/<str:table>/export.csv", audit_views.table_export, name="table_export"),
    path("sync/", audit_views.sync, name="sync"),
    path("sync/runs/<int:run_id>/", audit_views.sync_run, name="sync_run"),
]

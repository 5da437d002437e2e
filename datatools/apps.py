from django.apps import AppConfig


class DatatoolsConfig(AppConfig):
    """The data tools: what needs every domain app (ACDB import and Sync, demo seeding, backup and restore,
    Mutations, the Tables browser). It sits above the domain apps; none of them imports it."""

    name = "datatools"
    verbose_name = "Data tools"

    def ready(self):
        from datatools import jobs  # noqa: F401 - registers the Tables CSV job kind

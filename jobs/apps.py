from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"

    def ready(self):
        from jobs import runners  # noqa: F401 - registers the kinds of job this app runs

from django.apps import AppConfig


class CcportalConfig(AppConfig):
    name = "ccportal"
    verbose_name = "CC portal"

    def ready(self):
        from django.db.backends.signals import connection_created

        from ccportal.database import unreadable_dates_tolerate

        connection_created.connect(unreadable_dates_tolerate, dispatch_uid="ccportal.unreadable_dates_tolerate")

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Staff accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts.middleware import session_login_stamp

        user_logged_in.connect(session_login_stamp, dispatch_uid="accounts.session_login_stamp")

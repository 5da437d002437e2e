from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Staff accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts.middleware import session_login_stamp

        user_logged_in.connect(session_login_stamp, dispatch_uid="accounts.session_login_stamp")
        # Django's own receiver saves the employee, which would add a history row for every login.
        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(last_login_record, dispatch_uid="accounts.last_login_record")


def last_login_record(sender, request, user, **kwargs):
    from accounts.services import employee_last_login_record

    employee_last_login_record(employee=user)

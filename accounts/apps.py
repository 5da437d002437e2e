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
        from django.contrib.auth.signals import user_login_failed

        from accounts.lockout import login_failed

        user_login_failed.connect(login_failed, dispatch_uid="accounts.login_failed")
        user_logged_in.connect(login_ceiling_clear, dispatch_uid="accounts.login_ceiling_clear")


def last_login_record(sender, request, user, **kwargs):
    from accounts.services import employee_last_login_record

    employee_last_login_record(employee=user)


def login_ceiling_clear(sender, request, user, **kwargs):
    from accounts.lockout import login_succeeded

    login_succeeded(request, user.employee_id)

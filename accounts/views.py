"""Staff login and logout pages."""

from django.contrib.auth import views as auth_views

from accounts.forms import EmployeeLoginForm


class EmployeeLoginView(auth_views.LoginView):
    """Django's login view (session key rotated at login) with the employee-number form."""

    form_class = EmployeeLoginForm
    redirect_authenticated_user = True

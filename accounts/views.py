"""Staff login and logout, My Profile, the forced password change and Admin Roles."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render, resolve_url
from django.urls import resolve
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts import roles, selectors, services
from accounts.forms import EmployeeCreateForm, EmployeeLoginForm, ReasonForm, RoleChangeForm
from accounts.lockout import lockout_minutes
from accounts.models import Role

EMPLOYEES_PER_PAGE = 50


class EmployeeLoginView(auth_views.LoginView):
    """Django's login view (session key rotated at login) with the employee-number form.

    A login bound for the landing page answers with that page itself, not a redirect to it: on a 400 ms link the
    redirect's second round trip was 0.4 s of the 1.0 s budget (bench/RESULTS.md, "Slow link"). The page names
    its own address (``<html data-replace-url>``) and static/js/app.js puts it in the address bar with
    ``history.replaceState``, so a reload asks for the landing page, never the login POST again. A ``next``
    elsewhere still gets the redirect."""

    form_class = EmployeeLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        redirect_response = super().form_valid(form)  # logs in (new session key, CSRF token rotated)
        landing = resolve_url(settings.LOGIN_REDIRECT_URL)
        if redirect_response.url != landing or self.request.user.must_change_password:
            return redirect_response  # a one-time password goes to the set-password page first (middleware)
        request = self.request
        request.method, request.POST = "GET", QueryDict()  # the landing view sees the GET the redirect would send
        request.cc_replace_url = landing
        match = resolve(landing)
        page = match.func(request, *match.args, **match.kwargs)
        if page.status_code != 200 or page.streaming:
            return redirect_response
        page.cookies.update(redirect_response.cookies)
        return page


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """Own details and a password change that needs the current password."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        _own_password_save(request, form, "Your password is changed. Other sessions and API tokens have been ended.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def password_set(request):
    """An employee holding a one-time password chooses their own before anything else."""
    if not request.user.must_change_password:
        return redirect("accounts:profile")
    form = SetPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        _own_password_save(request, form, "Your password is set. Welcome.")
        return redirect("reports:dashboard")
    return render(request, "accounts/password_set.html", {"form": form})


@roles.require(roles.can_manage_roles)
@require_GET
@vary_on_headers("HX-Request")
def roles_list(request):
    """Admin Roles: employees, their role and status; live search and paging."""
    search = request.GET.get("q", "")[:100]
    employees = selectors.employee_list(user=request.user, search=search)
    page = Paginator(employees, EMPLOYEES_PER_PAGE).get_page(request.GET.get("page"))
    partial = request.htmx and not request.htmx.history_restore_request
    template = "accounts/_employee_table.html" if partial else "accounts/roles.html"
    context = {
        "page": page,
        "search": search,
        "role_choices": Role.choices,
        "lockout_failures": settings.AXES_FAILURE_LIMIT,
        "lockout_minutes": lockout_minutes(),
        "ceiling_failures": settings.CC_LOCKOUT_EMPLOYEE_FAILURES,
        "ceiling_minutes": settings.CC_LOCKOUT_EMPLOYEE_COOLDOWN_MAX_SECONDS // 60,
    }
    return render(request, template, context)


@roles.require(roles.can_manage_roles)
@never_cache
@require_http_methods(["GET", "POST"])
def employee_new(request):
    form = EmployeeCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        employee, one_time_password = services.employee_create(**form.cleaned_data, by=request.user)
        return _one_time_password_page(request, employee, one_time_password, created=True)
    return render(request, "accounts/employee_new.html", {"form": form})


@roles.require(roles.can_manage_roles)
@require_POST
@vary_on_headers("HX-Request")
def employee_role(request, pk):
    """Inline role change (htmx swaps the row)."""
    employee = selectors.employee_get_for_admin(user=request.user, pk=pk)
    return _row_change(
        request,
        employee,
        RoleChangeForm(request.POST),
        lambda role, reason: services.employee_role_change(employee=employee, role=role, by=request.user, reason=reason),
        success=f"Role of {employee} changed.",
    )


@roles.require(roles.can_manage_roles)
@require_POST
@vary_on_headers("HX-Request")
def employee_activation(request, pk, *, active):
    """Deactivate (``active=False``) or reactivate an employee, with a reason (htmx swaps the row)."""
    employee = selectors.employee_get_for_admin(user=request.user, pk=pk)
    change = services.employee_reactivate if active else services.employee_deactivate
    return _row_change(
        request,
        employee,
        ReasonForm(request.POST),
        lambda reason: change(employee=employee, by=request.user, reason=reason),
        success=f"{employee} is {'active again' if active else 'deactivated'}.",
    )


@roles.require(roles.can_manage_roles)
@never_cache
@require_POST
def employee_password_reset(request, pk):
    employee = selectors.employee_get_for_admin(user=request.user, pk=pk)
    try:
        one_time_password = services.employee_password_reset(employee=employee, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:roles")
    return _one_time_password_page(request, employee, one_time_password, created=False)


@roles.require(roles.can_manage_roles)
@require_POST
def employee_unlock(request, pk):
    employee = selectors.employee_get_for_admin(user=request.user, pk=pk)
    services.employee_unlock(employee_id=employee.employee_id, by=request.user)
    messages.success(request, f"{employee} can log in again from every address.")
    return redirect("accounts:roles")


def _own_password_save(request, form, message):
    """Save the password the employee chose (a validated Django password form); keep this session logged in."""
    services.employee_password_set(employee=request.user, password=form.cleaned_data["new_password1"])
    update_session_auth_hash(request, request.user)
    messages.success(request, message)


def _one_time_password_page(request, employee, one_time_password, *, created):
    # Shown once: the page is not cached and the password is never stored in clear.
    context = {"employee": employee, "one_time_password": one_time_password, "created": created}
    return render(request, "accounts/one_time_password.html", context)


def _row_change(request, employee, form, change, *, success):
    """Run ``change(**form.cleaned_data)`` if the form is valid; answer with the employee's refreshed row
    (htmx) or a redirect to the list with a message (plain POST). A refusal is shown, never a crash."""
    error = None
    if not form.is_valid():
        error = " ".join(f"{name.capitalize()}: {' '.join(errors)}" for name, errors in form.errors.items())
    else:
        try:
            change(**form.cleaned_data)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if not request.htmx:
        messages.add_message(request, messages.ERROR if error else messages.SUCCESS, error or success)
        return redirect("accounts:roles")
    employee = selectors.employee_get_for_admin(user=request.user, pk=employee.pk)
    context = {"employee": employee, "role_choices": Role.choices, "row_error": error, "row_message": None if error else success}
    return render(request, "accounts/_employee_row.html", context)

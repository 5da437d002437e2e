"""/roles/ Admin Roles: superadmin only; list, search, inline role change, create, (de)activate, reset password."""

import pytest

from accounts.models import Employee, Role

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}

ADMIN_URLS = [
    ("get", "/roles/"),
    ("get", "/roles/new/"),
    ("post", "/roles/{pk}/role/"),
    ("post", "/roles/{pk}/deactivate/"),
    ("post", "/roles/{pk}/reactivate/"),
    ("post", "/roles/{pk}/reset-password/"),
    ("post", "/roles/{pk}/unlock/"),
]


@pytest.mark.parametrize("method, url", ADMIN_URLS)
@pytest.mark.parametrize("role", [Role.ONM_TEAM, Role.FINANCE_TEAM, Role.GENERIC])
def test_it_refuses_everyone_but_superadmin(client_for, make_employee, generic, method, url, role):
    user = make_employee(role, employee_id=f"88{role[:3]}")
    response = getattr(client_for(user), method)(url.format(pk=generic.pk), {"role": "superadmin", "reason": "x"})
    assert response.status_code == 403
    generic.refresh_from_db()
    assert generic.role == Role.GENERIC and generic.is_active


@pytest.mark.parametrize("method, url", ADMIN_URLS)
def test_it_sends_anonymous_users_to_login(client, generic, method, url):
    response = getattr(client, method)(url.format(pk=generic.pk))
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_it_lists_employees_in_a_fixed_number_of_queries(admin_client, make_employee, django_assert_max_num_queries):
    for n in range(30):
        make_employee(Role.GENERIC, employee_id=f"60{n:02d}")
    with django_assert_max_num_queries(8):
        response = admin_client.get("/roles/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "6029" in page and "Admin Roles" in page
    assert "never" in page  # last login of employees who never logged in


def test_it_searches_and_answers_htmx_with_the_table_only(admin_client, onm, finance):
    response = admin_client.get("/roles/", {"q": "finance"}, **HTMX)
    page = response.content.decode()
    assert "Finance Clerk" in page and "Onm Engineer" not in page
    assert "<html" not in page and response["Vary"] and "HX-Request" in response["Vary"]
    empty = admin_client.get("/roles/", {"q": "nobody-here"}).content.decode()
    assert "No employee matches" in empty


def test_it_pages_the_list(admin_client, make_employee):
    for n in range(55):
        make_employee(Role.GENERIC, employee_id=f"61{n:02d}")
    page_two = admin_client.get("/roles/", {"page": 2}).content.decode()
    assert "Page 2 of 2" in page_two and "6154" in page_two


def test_it_changes_a_role_inline_with_who_and_why(admin_client, superadmin, generic):
    response = admin_client.post(f"/roles/{generic.pk}/role/", {"role": "finance_team", "reason": "Joined finance"}, **HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.startswith(f'<tr id="employee-{generic.pk}"') and "Role of" in page
    generic.refresh_from_db()
    assert generic.role == Role.FINANCE_TEAM
    record = generic.history.latest()
    assert record.history_user == superadmin and record.history_change_reason == "Joined finance"
    assert record.prev_record.role == Role.GENERIC


def test_a_role_change_needs_a_reason_and_a_known_role(admin_client, generic):
    response = admin_client.post(f"/roles/{generic.pk}/role/", {"role": "finance_team", "reason": ""}, **HTMX)
    assert "Reason: This field is required." in response.content.decode()
    response = admin_client.post(f"/roles/{generic.pk}/role/", {"role": "owner", "reason": "x"}, **HTMX)
    assert "Role: Select a valid choice." in response.content.decode()
    generic.refresh_from_db()
    assert generic.role == Role.GENERIC


def test_a_role_change_without_htmx_redirects_with_a_message(admin_client, generic):
    response = admin_client.post(f"/roles/{generic.pk}/role/", {"role": "onm_team", "reason": "Field work"}, follow=True)
    assert response.redirect_chain[-1][0] == "/roles/"
    assert b"Role of" in response.content


def test_an_admin_cannot_demote_or_deactivate_themselves(admin_client, superadmin):
    response = admin_client.post(f"/roles/{superadmin.pk}/role/", {"role": "generic", "reason": "x"}, **HTMX)
    assert "yourself" in response.content.decode()
    admin_client.post(f"/roles/{superadmin.pk}/deactivate/", {"reason": "x"}, **HTMX)
    response = admin_client.post(f"/roles/{superadmin.pk}/reset-password/", follow=True)
    assert b"yourself" in response.content
    superadmin.refresh_from_db()
    assert superadmin.role == Role.SUPERADMIN and superadmin.is_active


def test_it_deactivates_and_reactivates_with_a_reason(admin_client, superadmin, client_for, onm):
    onm_client = client_for(onm)
    assert onm_client.get("/profile/").status_code == 200
    admin_client.post(f"/roles/{onm.pk}/deactivate/", {"reason": "Left 1PWR"}, **HTMX)
    onm.refresh_from_db()
    assert not onm.is_active and onm.history.latest().history_change_reason == "Left 1PWR"
    assert onm_client.get("/profile/").status_code == 302  # logged out on the next request
    response = admin_client.post(f"/roles/{onm.pk}/reactivate/", {"reason": "Came back"}, **HTMX)
    assert "Active" in response.content.decode()
    onm.refresh_from_db()
    assert onm.is_active and onm.history.latest().history_user == superadmin


def test_a_deactivation_needs_a_reason(admin_client, onm):
    response = admin_client.post(f"/roles/{onm.pk}/deactivate/", {"reason": "  "}, **HTMX)
    assert "Reason: This field is required." in response.content.decode()
    onm.refresh_from_db()
    assert onm.is_active


def test_a_role_change_applies_to_the_session_on_the_next_request(admin_client, client_for, generic):
    generic_client = client_for(generic)
    assert generic_client.get("/roles/").status_code == 403
    admin_client.post(f"/roles/{generic.pk}/role/", {"role": "superadmin", "reason": "New IT lead"}, **HTMX)
    assert generic_client.get("/roles/").status_code == 200


def test_it_creates_an_employee_and_shows_the_one_time_password_once(admin_client, superadmin, client):
    response = admin_client.post(
        "/roles/new/", {"employee_id": " 3100 ", "name": "Lerato Molapo", "email": "lerato@example.org", "role": "onm_team"}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    one_time_password = response.context["one_time_password"]
    assert one_time_password in response.content.decode()
    employee = Employee.objects.get(employee_id="3100")
    assert employee.role == Role.ONM_TEAM and employee.must_change_password
    assert employee.check_password(one_time_password) and one_time_password not in employee.password
    assert employee.history.latest().history_user == superadmin
    assert one_time_password not in admin_client.get("/roles/").content.decode()


def test_it_refuses_a_duplicate_or_incomplete_employee(admin_client, generic):
    response = admin_client.post("/roles/new/", {"employee_id": generic.employee_id, "name": "X", "role": "generic"})
    assert response.status_code == 200 and b"already exists" in response.content
    response = admin_client.post("/roles/new/", {"employee_id": "", "role": "wizard"})
    assert b"This field is required." in response.content and b"Select a valid choice" in response.content
    assert Employee.objects.count() == 2


def test_it_resets_a_password_to_a_new_one_time_password(admin_client, client_for, generic):
    old_session = client_for(generic)
    response = admin_client.post(f"/roles/{generic.pk}/reset-password/")
    one_time_password = response.context["one_time_password"]
    generic.refresh_from_db()
    assert generic.must_change_password and generic.check_password(one_time_password)
    assert old_session.get("/profile/").status_code == 302  # the old session ended with the old password
    assert generic.history.latest().history_change_reason == "Password reset by an admin"


def test_unknown_employees_are_404(admin_client):
    assert admin_client.post("/roles/999999/role/", {"role": "generic", "reason": "x"}).status_code == 404

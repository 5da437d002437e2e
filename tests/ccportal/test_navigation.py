"""The menu is fed by the apps' menu modules and renders exactly the entries, order and links it always had."""

import re

import pytest

from ccportal import navigation

EVERY_ENTRY = [
    ("/", "Dashboard"),
    ("/customers/", "Customers"),
    ("/reports/om/", "O&amp;M Report"),
    ("/financial/", "Financial"),
    ("/tariffs/", "Tariffs"),
    ("/payments/import/", "Payments"),
    ("/payments/lookup/", "Payment lookup"),
    ("/reports/export/", "Export"),
    ("/mutations/", "Mutations"),
    ("/tables/", "Tables"),
    ("/sync/", "Sync"),
    ("/jobs/", "Jobs"),
    ("/roles/", "Roles"),
]
SIDENAV = re.compile(r'<nav class="sidenav" aria-label="Main">(.*?)</nav>', re.S)
LINK = re.compile(r'<li><a href="([^"]+)"(?: aria-current="page")?>([^<]+)</a></li>')


def _menu(client, path="/"):
    html = client.get(path).content.decode()
    return LINK.findall(SIDENAV.search(html).group(1))


@pytest.mark.django_db
def test_it_shows_a_superadmin_every_entry_in_menu_order(admin_client):
    assert _menu(admin_client) == EVERY_ENTRY


@pytest.mark.django_db
def test_it_leaves_out_what_a_generic_employee_may_not_use(generic_client):
    hidden = {"/payments/import/", "/sync/", "/roles/"}
    assert _menu(generic_client) == [entry for entry in EVERY_ENTRY if entry[0] not in hidden]


@pytest.mark.django_db
def test_it_marks_the_current_page(admin_client):
    html = admin_client.get("/tariffs/").content.decode()
    assert '<li><a href="/tariffs/" aria-current="page">Tariffs</a></li>' in html
    assert '<li><a href="/" aria-current="page">' not in html


def test_every_entry_comes_from_an_app_menu_module():
    entries = navigation.menu_entries()
    assert [entry.label for entry in entries] == [label.replace("&amp;", "&") for _, label in EVERY_ENTRY]
    assert {type(entry) for entry in entries} == {navigation.MenuEntry}


def test_an_entry_whose_url_does_not_exist_is_left_out(monkeypatch):
    missing = navigation.MenuEntry(15, "Nowhere", "reports:no_such_page", lambda user: True)
    monkeypatch.setattr(navigation, "menu_entries", lambda: [missing])
    navigation._entries.cache_clear()
    try:
        assert navigation._entries(*navigation.url_context()) == ()
    finally:
        navigation._entries.cache_clear()

"""The menu of every page, fed by the apps: each app lists its entries in its own `menu.py` (``MENU``, a list
of `MenuEntry`), and this module gathers them through the app registry, so the ground floor names no app.
Entries whose URL does not exist are left out."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import import_module

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import module_has_submodule

from ccportal.links import url_context


@dataclass(frozen=True)
class MenuEntry:
    position: int  # the place in the menu across all apps; tens, so a new app's entry fits in between
    label: str
    url_name: str
    check: Callable  # who sees it: a function of the user (an `accounts.roles` capability)


def menu_entries():
    """Every installed app's menu entries, in menu order."""
    entries = []
    for app in apps.get_app_configs():
        if module_has_submodule(app.module, "menu"):
            entries.extend(import_module(f"{app.name}.menu").MENU)
    return sorted(entries, key=lambda entry: entry.position)


@lru_cache(maxsize=16)
def _entries(urlconf, script_prefix):
    """(label, URL, check) of the entries whose URL exists, reversed once per URL configuration and script
    prefix rather than on every page."""
    entries = []
    for entry in menu_entries():
        try:
            entries.append((entry.label, reverse(entry.url_name, urlconf=urlconf), entry.check))
        except NoReverseMatch:
            continue
    return tuple(entries)


def navigation_for(user, current_path):
    items = []
    for label, url, check in _entries(*url_context()):
        if not check(user):
            continue
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    return items

"""ccportal.links.local_next: a POST goes back only to a path on this site."""

import pytest
from django.test import RequestFactory

from ccportal.links import local_next


@pytest.mark.parametrize(
    ("given", "back_to"),
    [
        ("/payments/import/?page=2#unmatched", "/payments/import/?page=2#unmatched"),
        ("", "/home/"),
        ("//evil.example/", "/home/"),
        ("/\\evil.example/", "/home/"),
        ("https://evil.example/", "/home/"),
        ("payments/import/", "/home/"),
        ("javascript:alert(1)", "/home/"),
    ],
)
def test_it_returns_only_to_a_path_on_this_site(given, back_to):
    request = RequestFactory().post("/x/", {"next": given})
    assert local_next(request, "/home/") == back_to

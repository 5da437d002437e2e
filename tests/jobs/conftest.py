"""Job files go to a temporary private root; jobs are started the way the pages start them."""

import pytest

from tests.billing.conftest import priced_accounts, statement  # noqa: F401 - the statement fixtures


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def start_job(django_capture_on_commit_callbacks):
    """POST a job's form as ``client``; the task runs when the request's transaction commits (immediate backend)."""

    def start(client, kind, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"/jobs/start/{kind}", data)

    return start

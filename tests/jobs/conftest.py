"""Job files go to a temporary private root; jobs are started the way the pages start them."""

import os

import pytest

from tests.billing.conftest import priced_accounts, statement  # noqa: F401 - the statement fixtures
from tests.jobs.workers import BACKENDS, Workers


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


@pytest.fixture(params=sorted(BACKENDS))
def workers(request, settings, private_root):
    """Real workers in other processes, once on each task backend (tests/jobs/workers.py)."""
    backend = request.param
    redis_url = ""
    if backend == "rq":
        redis_url = os.environ.get("CC_TEST_REDIS_URL", "")
        if not redis_url:
            pytest.skip("RQ tests need CC_TEST_REDIS_URL=redis://127.0.0.1:6379/<db> (CI sets it)")
        import redis

        redis.Redis.from_url(redis_url).flushdb()
        settings.RQ_QUEUES = {"default": {"URL": redis_url}}
    settings.TASKS = {"default": {"BACKEND": BACKENDS[backend], "QUEUES": ["default"]}}
    pool = Workers(backend, redis_url, private_root)
    yield pool
    pool.stop_all()
    if redis_url:
        redis.Redis.from_url(redis_url).flushdb()

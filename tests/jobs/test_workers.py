"""Jobs run by real workers in other processes, on the database backend and on RQ (tests/jobs/workers.py):
a job outlives the process that queued it, progress crosses processes, a killed worker's job is marked failed,
two workers never run one job twice, and a scheduled tariff change lands with nobody on a page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import Config
from jobs.files import job_directory
from jobs.models import Job
from jobs.services import job_create, jobs_fail_lost
from tests.factories import CustomerFactory, TariffRateFactory
from tests.jobs import slow_kind
from tests.jobs.workers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _slow_job(name, **params):
    return job_create(kind=slow_kind.SLOW.name, params={"name": name, **params}, title=f"slow {name}", by=None)


def _status(job):
    job.refresh_from_db()
    return job.status


def test_it_finishes_a_job_after_the_process_that_queued_it_has_exited(workers):
    CustomerFactory.create_batch(3, site_code="MAK")
    workers.run(
        "shell", "-c",
        "from jobs.services import job_create; job_create(kind='export', params={'dataset': 'customers', 'format': 'csv', "
        "'filters': {'site': 'MAK', 'from': '', 'to': '', 'q': ''}}, title='Customers', by=None)",
    )  # fmt: skip
    job = Job.objects.get()
    assert job.status == Job.Status.QUEUED  # the queuing process has exited; nothing has run the job yet
    workers.worker()
    wait_for(lambda: _status(job) == Job.Status.SUCCEEDED, what=f"the job to succeed ({workers.errors()})")
    assert (job.progress_done, job.progress_total) == (3, 3)
    assert (job_directory(job.pk) / job.result_name).read_text(encoding="utf-8-sig").count("\n") == 4
    assert job.task_result_id and job.worker


def test_progress_written_by_the_worker_is_read_by_another_process(workers):
    job = _slow_job("progress", steps=30, pause=0.1)
    workers.worker()
    seen = wait_for(
        lambda: _status(job) == Job.Status.RUNNING and 0 < job.progress_done < 30 and job.progress_done, what="progress"
    )
    assert job.progress_total == 30 and job.message == "Stepping"
    later = wait_for(lambda: job.refresh_from_db() or (job.progress_done > seen and job.progress_done), what="more progress")
    assert later > seen
    wait_for(lambda: _status(job) == Job.Status.SUCCEEDED, what="the job to succeed")
    assert job.progress_done == 30


def test_a_killed_workers_job_is_marked_failed_and_leaves_no_file(workers, settings, client_for, superadmin):
    job = _slow_job("killed", steps=400, pause=0.05)
    worker = workers.worker()
    wait_for(lambda: _status(job) == Job.Status.RUNNING and job.progress_done > 2, what="the job to run")
    workers.kill(worker)
    assert list(job_directory(job.pk).glob("*"))  # the partial file it was writing
    settings.CC_JOB_LEASE_SECONDS = 1
    wait_for(lambda: jobs_fail_lost() or _status(job) == Job.Status.FAILED, timeout=10, what="the lease to run out")
    page = client_for(superadmin).get("/jobs/")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "stopped: no heartbeat since" in job.error
    assert job.error in page.content.decode()
    assert not list(job_directory(job.pk).glob("*"))  # no half-written file left
    if workers.backend == "database":
        from django_tasks_db.models import DBTaskResult

        assert DBTaskResult.objects.get(pk=job.task_result_id).status == "FAILED"


def test_two_workers_on_one_queue_never_run_one_job_twice(workers):
    from jobs.tasks import job_run_task

    jobs = [_slow_job(f"twice-{n}", steps=2, pause=0.02) for n in range(12)]
    for job in jobs[:6]:  # the same job delivered twice more: the claim lets it run once
        job_run_task.enqueue(job_id=job.pk)
        job_run_task.enqueue(job_id=job.pk)
    workers.worker("one")
    workers.worker("two")
    wait_for(
        lambda: Job.objects.filter(status=Job.Status.SUCCEEDED).count() == 12, timeout=60, what=f"every job ({workers.errors()})"
    )
    for job in jobs:
        assert slow_kind.runs_file(f"twice-{job.pk - jobs[0].pk}").read_text().count("\n") == 1
    assert len(set(Job.objects.values_list("worker", flat=True))) >= 1


def test_the_scheduled_tariff_change_lands_without_anyone_visiting_a_page(workers):
    Config.objects.create(id=1, therate=Decimal("5.0000"))
    TariffRateFactory(rate_lsl=Decimal("5.0000"))
    change_at = timezone.now() + timedelta(seconds=2)
    TariffRateFactory(rate_lsl=Decimal("6.2500"), effective_from=change_at)
    workers.worker()
    workers.scheduler()
    wait_for(
        lambda: Config.objects.get().therate == Decimal("6.2500"),
        timeout=30,
        what=f"tblconfig.therate to change ({workers.errors()})",
    )
    assert timezone.now() >= change_at


def test_due_messages_are_sent_by_the_scheduler_and_a_worker_without_a_sender_of_their_own(workers, settings):
    """What `make run` starts (a worker and the scheduler) sends a message nobody enqueued a send for: a retry
    after back-off, an alert held over quiet hours, a large batch."""
    from messaging.models import Message
    from messaging.services import message_manual_create

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    message = message_manual_create(customer=CustomerFactory(cell_phone_1="+26657755403"), text="Dumela", by=None, reason="test")
    assert message.status == Message.Status.QUEUED  # its own send went to the dummy backend: nobody will run it
    workers.worker()
    workers.scheduler(CC_MESSAGES_SEND_SECONDS="1")
    wait_for(
        lambda: Message.objects.get(pk=message.pk).status == Message.Status.NOT_SENT_DEVELOPMENT,
        timeout=30,
        what=f"the message to be sent ({workers.errors()})",
    )

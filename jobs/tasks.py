"""The tasks workers run (Django's task framework): each takes plain values and calls a service."""

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def job_run_task(*, job_id):
    """Run one job (jobs.services.job_run); a second delivery of the same task finds it claimed and does nothing."""
    from jobs.services import job_run

    return job_run(job_id=job_id)


@task()
def tariffs_apply_due_task():
    """Mirror the global rate in force now into tblconfig.therate (due tariff changes land within a minute)."""
    from billing.services import config_therate_sync

    rate_lsl, changed = config_therate_sync(by=None, reason="Scheduled: global rate in force")
    if changed:
        logger.info("tblconfig.therate set to %s LSL/kWh", rate_lsl)
    return {"rate_lsl": None if rate_lsl is None else str(rate_lsl), "changed": changed}


@task()
def messages_send_due_task():
    """Send the customer messages that are due (retries after back-off, alerts held over quiet hours, the large
    batches of an import): as many as the gateway's rate allows before the next run is due, so runs queued every
    CC_MESSAGES_SEND_SECONDS follow one another instead of overlapping and doubling the rate."""
    from django.conf import settings

    from messaging.services import messages_send_due

    limit = max(1, int(settings.CC_SMS_RATE_PER_SECOND * settings.CC_MESSAGES_SEND_SECONDS * 0.9))
    counts = messages_send_due(limit=limit, threads=settings.CC_SMS_SEND_THREADS)
    if counts:
        logger.info("Due messages sent: %s", counts)
    return counts


@task()
def housekeeping_task():
    """Fail jobs whose worker died (and the ACDB import runs they were), delete old export files, finished task
    results and expired API token families."""
    from accounts.services import token_families_prune
    from jobs.services import job_files_prune, jobs_fail_lost, task_results_prune

    return {
        "lost": jobs_fail_lost(),
        "files": job_files_prune(),
        "task_results": task_results_prune(),
        "token_families": token_families_prune(),
    }

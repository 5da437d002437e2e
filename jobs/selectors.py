"""Reading jobs: which a person may see, one job scoped to its viewer, and how a job's state reads in words."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from accounts import roles
from jobs.kinds import KINDS
from jobs.models import Job, Schedule

PAGE_SIZE = 100


def jobs_for(user):
    """The jobs ``user`` may see, newest first: their own, or everyone's for a superadmin (and the scheduler's)."""
    jobs = Job.objects.select_related("requested_by")
    if not roles.can_see_all_jobs(user):
        jobs = jobs.filter(requested_by=user)
    return jobs


def job_for(user, pk):
    """Job ``pk`` if ``user`` may see it; PermissionDenied when it is someone else's or, for all but superadmins,
    when there is none (no existence oracle); 404 for a superadmin when there is none."""
    job = Job.objects.select_related("requested_by").filter(pk=pk).first()
    see_all = roles.can_see_all_jobs(user)
    if job is None and see_all:
        raise Http404("No such job.")
    if job is None or (job.requested_by_id != user.pk and not see_all):
        raise PermissionDenied("This job is not yours.")  # the same answer whether it exists or not
    return job


def job_state_text(job, *, now=None):
    """One line saying where the job is, for people; a queued job no worker has taken for a while says so."""
    now = now or timezone.now()
    if job.status == Job.Status.QUEUED:
        waited = (now - job.created_at).total_seconds()
        if waited >= settings.CC_JOB_QUEUE_WARN_SECONDS:
            minutes = int(waited // 60)
            span = f"{minutes} minute{'s' if minutes != 1 else ''}" if minutes else f"{int(waited)} seconds"
            return f"Queued; no worker has taken it for {span}. Is a worker running? (see README, Background jobs)"
        return "Queued; waiting for a worker."
    if job.status == Job.Status.RUNNING:
        if job.progress_total:
            return f"{job.message or 'Running'}: {job.progress_done:,} of {job.progress_total:,}"
        return f"{job.message or 'Running'}: {job.progress_done:,} so far" if job.progress_done else job.message or "Running."
    if job.status == Job.Status.FAILED:
        return job.error or "Failed."
    return job.message or job.get_status_display()


def job_percent(job):
    if job.status == Job.Status.SUCCEEDED:
        return 100
    if job.progress_total:
        return min(100, int(job.progress_done * 100 / job.progress_total))
    return None


def job_rows(jobs, *, user, now=None):
    """Plain rows for the Jobs table (a fixed number of queries: the jobs with their requesters)."""
    now = now or timezone.now()
    see_all = roles.can_see_all_jobs(user)
    rows = []
    for job in jobs:
        kind = KINDS.get(job.kind)
        rows.append(
            {
                "job": job,
                "kind": kind.label if kind else job.kind,
                "state": job_state_text(job, now=now),
                "percent": job_percent(job),
                "active": not job.is_finished,
                "may_download": job.status == Job.Status.SUCCEEDED and bool(job.result_path),
                "may_cancel": job.status == Job.Status.QUEUED and (see_all or job.requested_by_id == user.pk),
            }
        )
    return rows


def schedules():
    """Every registered schedule with when it is next due and was last queued (None: no scheduler has run it)."""
    from jobs.schedule import SCHEDULES

    rows = {row.name: row for row in Schedule.objects.all()}
    return [{"entry": entry, "row": rows.get(entry.name)} for entry in SCHEDULES]

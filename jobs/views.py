"""The Jobs pages: the list (mine, or everyone's for superadmins), one job with its progress, starting a job from
another page's form, cancelling a queued one, downloading its file. Thin: parse, call a service, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts import roles
from ccportal.links import local_next
from jobs import selectors, services
from jobs.files import job_file_path
from jobs.kinds import KINDS


@require_GET
@roles.require(roles.is_employee)
@vary_on_headers("HX-Request")
def job_list(request):
    services.jobs_fail_lost()  # a job whose worker died reads failed here even with no scheduler running
    rows = selectors.job_rows(selectors.jobs_for(request.user)[: selectors.PAGE_SIZE], user=request.user)
    context = {
        "rows": rows,
        "polling": any(row["active"] for row in rows),
        "see_all": roles.can_see_all_jobs(request.user),
        "may_rebuild_rollups": roles.can_rebuild_rollups(request.user),
        "schedules": selectors.schedules() if roles.can_see_all_jobs(request.user) else [],
    }
    template = "jobs/_rows.html" if request.htmx else "jobs/list.html"
    return render(request, template, context)


@require_GET
@roles.require(roles.is_employee)
@vary_on_headers("HX-Request")
def job_detail(request, pk):
    services.jobs_fail_lost()
    job = selectors.job_for(request.user, pk)
    (row,) = selectors.job_rows([job], user=request.user)
    template = "jobs/_job.html" if request.htmx else "jobs/detail.html"
    return render(request, template, {"row": row, "job": job})


@require_POST
@roles.require(roles.is_employee)
def job_start(request, kind):
    job_kind = KINDS.get(kind)
    if job_kind is None:
        raise Http404("No such kind of job.")
    if not job_kind.may_start(request.user):
        raise PermissionDenied("Your role may not start this job.")
    params, title, problems = job_kind.params_from(request.POST)
    if problems:
        for problem in problems:
            messages.error(request, problem)
        return redirect(_back(request))
    job = services.job_create(kind=kind, params=params, title=title, by=request.user)
    messages.success(request, f"{title}: queued as job {job.pk}. This page shows its progress; the Jobs page lists it too.")
    return redirect("jobs:detail", pk=job.pk)


def _back(request):
    return local_next(request, reverse("jobs:list"))


@require_http_methods(["GET", "POST"])
@roles.require(roles.is_employee)
def job_cancel(request, pk):
    job = selectors.job_for(request.user, pk)
    if request.method == "POST":
        try:
            services.job_cancel(job=job, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Job {job.pk} cancelled.")
        return redirect("jobs:list")
    return render(request, "jobs/cancel.html", {"job": job})


@require_GET
@roles.require(roles.is_employee)
def job_download(request, pk):
    job = selectors.job_for(request.user, pk)
    path = job_file_path(job.result_path) if job.status == job.Status.SUCCEEDED else None
    if path is None or not path.is_file():
        raise Http404("This job has no file (not finished, failed, or the file was pruned).")
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result_name)

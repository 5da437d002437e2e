"""The registry of job kinds: what each is called, who may start one, how its parameters are read from a form,
and the function that does the work in a worker. An app above `jobs` registers its own kinds the same way."""

from collections.abc import Callable
from dataclasses import dataclass

KINDS = {}


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    # run(params=dict, progress=Progress, output=JobOutput, by=Employee or None) -> dict of figures (or None).
    run: Callable
    # may_start(user) -> bool; the Jobs views ask it before anything is queued.
    may_start: Callable
    # params_from(data) -> (params, title, problems): plain values from a submitted form, or messages for people.
    params_from: Callable
    # on_failed(params=dict, reason=str): told when the job failed or was cancelled outside its own run (its
    # worker died, it could not be queued, it was cancelled), so a record of the kind's own can say so too.
    on_failed: Callable | None = None


def job_kind_register(kind):
    KINDS[kind.name] = kind
    return kind

"""A task for the latency workload: it returns the moment a worker started it."""

import time

from django_tasks import task


@task()
def started_at():
    return time.time()

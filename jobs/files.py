"""Files made by jobs: written under CC_PRIVATE_ROOT/exports/<job id>/ as a hidden partial file and renamed into
place only when complete, so a failed or killed job never leaves a half-written file anyone can download."""

import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.utils.text import get_valid_filename

EXPORTS = "exports"
PARTIAL_PREFIX = ".partial-"


def job_directory(job_id):
    return Path(settings.MEDIA_ROOT) / EXPORTS / str(int(job_id))


def job_file_path(relative):
    """The absolute path of a job's result file from its stored relative path, or None if it leaves the root."""
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / relative).resolve()
    return path if relative and path.is_relative_to(root / EXPORTS) else None


def job_directory_remove(job_id):
    shutil.rmtree(job_directory(job_id), ignore_errors=True)


def job_partials_remove(job_id):
    directory = job_directory(job_id)
    for partial in directory.glob(PARTIAL_PREFIX + "*"):
        partial.unlink(missing_ok=True)


class JobOutput:
    """Where a running job writes its one result file; `path`/`name` are set once the file is in place."""

    def __init__(self, job_id):
        self.job_id = job_id
        self.path = None
        self.name = ""

    @contextmanager
    def file(self, name):
        """Yield a partial path to write ``name`` to; on success it is renamed into place, on any error deleted."""
        directory = job_directory(self.job_id)
        directory.mkdir(parents=True, exist_ok=True)
        partial = directory / f"{PARTIAL_PREFIX}{uuid.uuid4().hex}"
        try:
            yield partial
            final = directory / get_valid_filename(name)
            os.replace(partial, final)  # atomic on one filesystem: the file appears whole or not at all
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        self.path, self.name = final, final.name

    def write_bytes(self, name, content):
        with self.file(name) as partial:
            partial.write_bytes(content)

    @property
    def relative_path(self):
        return str(self.path.relative_to(Path(settings.MEDIA_ROOT))) if self.path else ""

    def discard(self):
        job_directory_remove(self.job_id)
        self.path, self.name = None, ""

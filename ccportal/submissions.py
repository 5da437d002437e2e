"""Submissions from a device's offline queue: one JSON document each, applied exactly once by its idempotency key.

The format (README, "In the field"): ``{"key": "<UUID made on the device>", "<group>": {"<field>": "<text>", …}, …}``
with a group per form (the wizard's steps ``personal``, ``location``, ``service``; ``fields`` for a one-form page)
and flags beside them (``confirm_duplicate``). The groups become the data of the same Django forms the pages use,
so an offline submission is validated exactly like one typed online.

Answers, all JSON with a ``status`` and a ``message`` for the officer:
- 201 ``applied`` (with ``url`` and ``id``): written; a resend of the key gets this same answer again
  (header ``Idempotent-Replayed: true``), and nothing is written twice;
- 409 ``conflict`` (with ``reason`` and, when the officer may override it, ``resolve``): the data is valid but
  the world changed meanwhile (a national ID now registered, a meter now on another account);
- 422 ``invalid`` (with ``errors`` per group and field) or 400 for a document that is not one of ours.
Refusals are not kept: nothing was applied, so the resend after the officer resolves it is judged afresh."""

import json
import uuid

from django.db import IntegrityError, transaction
from django.http import JsonResponse

from ccportal.models import Submission

MAX_FIELD_CHARS = 2 * 1024 * 1024  # a signature PNG as a data URL is well under this


class SubmissionRefused(Exception):
    """The submission cannot be applied as it stands; nothing was written. ``body`` is the JSON answer."""

    def __init__(self, status, body):
        super().__init__(body.get("message", ""))
        self.status = status
        self.body = body


def _invalid(message, status=400):
    return SubmissionRefused(status, {"status": "invalid", "message": message})


def submission_document(request, *, groups):
    """(key, form data, flags) from the JSON body of ``request``: ``groups`` are the names of its field groups;
    the data is flat, each field named ``group-field`` (Django's form prefix) or just ``field`` for ``fields``."""
    try:
        document = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _invalid("The submission is not JSON.") from None
    if not isinstance(document, dict):
        raise _invalid("The submission is not a JSON object.")
    try:
        key = uuid.UUID(str(document.get("key", "")))
    except ValueError:
        raise _invalid("The submission has no valid key (a UUID made on the device).") from None
    data = {}
    for group in groups:
        values = document.get(group, {})
        if not isinstance(values, dict):
            raise _invalid(f"“{group}” is not a JSON object of fields.")
        for name, value in values.items():
            if value is None:
                value = ""
            if not isinstance(value, str | int | float) or isinstance(value, bool) or len(str(value)) > MAX_FIELD_CHARS:
                raise _invalid(f"The field “{name}” of “{group}” is not text.")
            data[name if group == "fields" else f"{group}-{name}"] = str(value)
    flags = {name: value for name, value in document.items() if isinstance(value, bool)}
    return key, data, flags


def form_errors(form):
    """A form's errors as {field: [message, …]} (``__all__`` for the form's own)."""
    return {name: [error["message"] for error in errors] for name, errors in form.errors.get_json_data().items()}


@transaction.atomic
def submission_apply(*, key, kind, by, apply):
    """Apply a submission once: ``apply()`` returns (status code, JSON body) or raises SubmissionRefused.
    Returns (status code, body, replayed). The key is claimed first, inside the transaction, so two sends of one
    key at the same moment queue on the unique index and the second gets the first one's answer."""
    earlier = Submission.objects.filter(key=key).first()
    if earlier is None:
        try:
            with transaction.atomic():
                claim = Submission.objects.create(key=key, kind=kind, employee=by, status_code=0)
        except IntegrityError:
            earlier = Submission.objects.get(key=key)
    if earlier is not None:
        if earlier.kind != kind:
            raise _invalid("This key was already used for another kind of submission.", status=422)
        return earlier.status_code, earlier.result, True
    status, body = apply()
    claim.status_code, claim.result = status, body
    claim.save(update_fields=["status_code", "result"])
    return status, body, False


def submission_response(request, *, kind, groups, apply):
    """The whole answer to a JSON submission: parse it, apply it once, answer JSON (see the module docstring).
    ``apply(key, data, flags)`` returns (status code, body) or raises SubmissionRefused."""
    try:
        key, data, flags = submission_document(request, groups=groups)
        status, body, replayed = submission_apply(
            key=key, kind=kind, by=request.user, apply=lambda: apply(key=key, data=data, flags=flags)
        )
    except SubmissionRefused as refused:
        return JsonResponse(refused.body, status=refused.status)
    response = JsonResponse(body, status=status)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response

"""Audit helpers: every save or delete made by a person records who and why (django-simple-history)."""


def history_save(instance, *, by, reason, **save_kwargs):
    """Save ``instance`` and record ``by`` (an Employee or None for the system) and ``reason`` in its history."""
    instance._history_user = by
    instance._change_reason = reason
    instance.save(**save_kwargs)
    return instance


def history_delete(instance, *, by, reason):
    """Delete ``instance`` leaving a "-" history record with who and why."""
    instance._history_user = by
    instance._change_reason = reason
    instance.delete()


def history_bulk_create(model, objects, *, by, reason, batch_size=1000):
    """Bulk insert rows and their history records in two statements per batch (for imports)."""
    from simple_history.utils import bulk_create_with_history

    return bulk_create_with_history(objects, model, batch_size=batch_size, default_user=by, default_change_reason=reason)

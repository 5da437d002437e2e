"""Long lists cut into batches, for IN lists: SQL Server takes at most 2,100 parameters in one statement."""

from itertools import islice


def chunks(items, size):
    """Successive lists of at most ``size`` of ``items`` (any iterable, read once and in its order)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk

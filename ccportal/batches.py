"""Long lists cut into batches, for IN lists: SQL Server takes at most 2,100 parameters in one statement."""

from itertools import islice

# Keys per IN list: under SQL Server's 2,100 parameters, with room for the statement's other parameters.
IN_LIST_SIZE = 1000


def chunks(items, size):
    """Successive lists of at most ``size`` of ``items`` (any iterable, read once and in its order)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk

"""State changes of the reports app: importing site generation readings."""

from dataclasses import dataclass

from django.db import transaction

from ccportal.history import history_bulk_create, history_save
from reports.models import SiteGeneration


@dataclass
class GenerationImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@transaction.atomic
def site_generation_import(*, rows, source, by, reason):
    """Insert or update one SiteGeneration per (site, day) of ``rows`` (reports.generation_import.GenerationRow);
    a row equal to what is stored changes nothing, so importing a file twice adds nothing."""
    result = GenerationImportResult()
    if not rows:
        return result
    existing = {}
    sites = sorted({row.site for row in rows})
    first, last = min(row.day for row in rows), max(row.day for row in rows)
    for site in sites:  # one query per site keeps every IN list short
        for item in SiteGeneration.objects.filter(site_id=site, day__gte=first, day__lte=last):
            existing[(item.site_id, item.day)] = item
    new = []
    for row in rows:
        row_source = row.source or source
        item = existing.get((row.site, row.day))
        if item is None:
            new.append(SiteGeneration(site_id=row.site, day=row.day, kwh_generated=row.kwh, source=row_source))
        elif item.kwh_generated == row.kwh and item.source == row_source:
            result.unchanged += 1
        else:
            item.kwh_generated, item.source = row.kwh, row_source
            history_save(item, by=by, reason=reason)
            result.updated += 1
    if new:
        history_bulk_create(SiteGeneration, new, by=by, reason=reason)
        result.created = len(new)
    return result

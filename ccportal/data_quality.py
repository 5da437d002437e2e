"""Finding stored values outside ccportal.bounds (for `manage.py check_data`), table by table, in SQL.

A model names the ranges of its columns in a `plausible_ranges` class attribute ({field name: range or None});
every other date or datetime column is held to bounds.EFFECTIVE, and None leaves a column unchecked (the
derived rollup tables, sentinels). Historical models (django-simple-history) take their model's ranges."""

from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from ccportal import bounds


@dataclass
class Finding:
    table: str
    column: str
    expected: str
    key_column: str
    count: int
    examples: list = field(default_factory=list)  # (key, value as the database writes it)


def _project_models():
    base = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        if Path(config.path).resolve().is_relative_to(base):
            yield from config.get_models()


def checked_columns(model):
    """(field, range) for each column of ``model`` that is checked."""
    source = getattr(model, "instance_type", model)  # a historical model checks as its model
    declared = getattr(source, "plausible_ranges", {})
    for model_field in model._meta.concrete_fields:
        if model_field.name in declared:
            within = declared[model_field.name]
        elif isinstance(model_field, models.DateField):  # DateTimeField is one too
            within = bounds.EFFECTIVE
        else:
            within = None
        if within is not None:
            yield model_field, within


def _outside(model_field, within):
    name = model_field.name
    if isinstance(within, bounds.DateRange):
        if isinstance(model_field, models.DateTimeField):
            return Q(**{f"{name}__lt": within.earliest_moment()}) | Q(**{f"{name}__gt": within.latest_moment()})
        return Q(**{f"{name}__lt": within.earliest()}) | Q(**{f"{name}__gt": within.latest_date()})
    high = within.high()
    if within.negative_ok:
        return Q(**{f"{name}__gt": high}) | Q(**{f"{name}__lt": -high})
    low = Q(**{f"{name}__lte": within.low}) if within.low_open else Q(**{f"{name}__lt": within.low})
    return low | Q(**{f"{name}__gt": high})


def out_of_range_rows(*, limit=20):
    """A Finding for every checked column holding values outside its range, in table order."""
    findings = []
    for model in sorted(_project_models(), key=lambda m: m._meta.db_table):
        pk = model._meta.pk
        for model_field, within in checked_columns(model):
            rows = model._default_manager.filter(_outside(model_field, within))
            count = rows.count()
            if not count:
                continue
            examples = list(rows.order_by(pk.name).values_list(pk.name, Cast(model_field.name, output_field=TextField()))[:limit])
            findings.append(
                Finding(
                    table=model._meta.db_table,
                    column=model_field.column,
                    expected=within.describe(),
                    key_column=pk.column,
                    count=count,
                    examples=examples,
                )
            )
    return findings


class PlausibleRangesModel:
    """Model mixin: full_clean() (the admin's forms, services that call it) also holds each column to its range,
    as check_data does. Columns ``exclude``d (those an edit does not touch) are not checked, so a legacy value
    elsewhere in the row never blocks an edit."""

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for model_field, within in checked_columns(type(self)):
            if model_field.name in (exclude or ()) or model_field.name in errors:
                continue
            try:
                bounds.value_check(
                    getattr(self, model_field.attname), label=str(model_field.verbose_name).capitalize(), within=within
                )
            except bounds.BoundsError as error:
                errors[model_field.name] = [str(error)]
        if errors:
            raise ValidationError(errors)

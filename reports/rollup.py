"""The report rollup of `tblmeterdata1` (`cc_reading_hour`: readings per meter, site, month and hour), kept equal to
its table by ccportal.rollup (signals connected in `reports.apps`; rebuilt by seed_demo, the ACDB import and
restore). Report selectors sum readings here; customers are counted on customers.rollup.

Below it, the rollups by customer type that the load curves and daily load profiles read: of
`cc_ledger_account_quarter` (billing.rollup) and of `cc_reading_hour`, keyed by the resolved type."""

from types import SimpleNamespace

from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce, ExtractHour, NullIf, TruncMonth
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from ccportal.batches import chunks
from ccportal.rollup import KEYS_PER_QUERY, Rollup, count_one, local_hour, month_start, sum_of

READING_ROLLUP = Rollup(
    name="reading_hour",
    source="customers.MeterReading",
    target="reports.ReadingHour",
    watched=("meterid", "community", "whdatetime", "power_kw"),
    key=lambda row: (row.meterid, row.community or "", month_start(row.whdatetime), local_hour(row.whdatetime)),
    values={"readings": count_one, "kw_sum": sum_of("power_kw")},
    db_group={
        "meter_id": F("meterid"),
        "community": Coalesce("community", Value("")),
        "month": TruncMonth("whdatetime"),
        "hour": ExtractHour("whdatetime"),
    },
    db_values={"readings": Count("pk"), "kw_sum": Sum("power_kw")},
    db_key=lambda values: (values[0], values[1] or "", month_start(values[2]), int(values[3])),
)


# --- by customer type: rollups of the rollups above, keyed by the type ---------------------------------------------
# A payment's (and a reading's) customer type is the meter's type, else its customer's type, else "Unknown"
# (reports.selectors). These rollups are fed each change of their source cells (ccportal.rollup) with the type
# resolved once per batch, and `TypeMoves` moves a source's cells from the old type to the new one when a save
# changes it: a meter's or a customer's type, an account's meter or customer, a meter's customer.

UNKNOWN_TYPE = "Unknown"


def customer_type_expression(meter_type, customer_type):
    """A customer type: the meter's `customer type`, else the customer's `CUSTOMER POSITION`, else "Unknown"."""
    return Coalesce(NullIf(F(meter_type), Value("")), NullIf(F(customer_type), Value("")), Value(UNKNOWN_TYPE))


def _resolutions(model, ids, meter_type, customer_type, *fields):
    """{pk: (customer type, *fields)} of the rows of ``model`` among ``ids``, the type resolved by
    customer_type_expression(meter_type, customer_type)."""
    found = {}
    for chunk in chunks(sorted(set(ids)), KEYS_PER_QUERY):
        rows = (
            model.objects.filter(pk__in=chunk)
            .annotate(resolved_type=customer_type_expression(meter_type, customer_type))
            .values_list("pk", "resolved_type", *fields)
            .order_by()
        )
        found.update((pk, tuple(resolution)) for pk, *resolution in rows)
    return found


def account_resolutions(account_ids):
    """{account number: (customer type, customer ID)} of the accounts in tblaccountnumbers among ``account_ids``."""
    from customers.models import AccountNumber

    return _resolutions(AccountNumber, account_ids, "meter__customer_type", "customer__customer_type", "customer_id")


def meter_resolutions(meter_ids):
    """{meter serial: (customer type,)} of the meters in tblmeter among ``meter_ids``."""
    from customers.models import Meter

    return _resolutions(Meter, meter_ids, "customer_type", "customer__customer_type")


def _resolver(id_field, resolutions):
    def resolve(rows):
        found = resolutions(getattr(row, id_field) for row in rows)
        return [SimpleNamespace(**vars(row), resolved=found.get(getattr(row, id_field))) for row in rows]

    return resolve


def _resolved(row):
    return row.resolved is not None


resolve_accounts = _resolver("account_id", account_resolutions)
resolve_meters = _resolver("meter_id", meter_resolutions)
ACCOUNT_TYPE = customer_type_expression("account__meter__customer_type", "account__customer__customer_type")
METER_TYPE = customer_type_expression("meter__customer_type", "meter__customer__customer_type")
IN_ACCOUNTS = (Q(account__customer__isnull=False), _resolved)  # an inner join to tblaccountnumbers
IN_METERS = (Q(meter__meterid__isnull=False), _resolved)  # an inner join to tblmeter
PAYMENT_VALUES = {"payments": sum_of("payments"), "kwh": sum_of("kwh"), "lsl": sum_of("lsl")}
PAYMENT_SUMS = {"payments": Sum("payments"), "kwh": Sum("kwh"), "lsl": Sum("lsl")}

LEDGER_TYPE_ROLLUP = Rollup(
    name="ledger_type_quarter",
    source="billing.LedgerAccountQuarter",
    target="reports.LedgerTypeQuarter",
    watched=(),
    where=IN_ACCOUNTS,
    resolve=resolve_accounts,
    key=lambda row: (row.resolved[0], row.quarter),
    values=PAYMENT_VALUES,
    db_group={"customer_type": ACCOUNT_TYPE, "quarter": F("quarter")},
    db_values=PAYMENT_SUMS,
)

LEDGER_TYPE_CUSTOMER_QUARTER_ROLLUP = Rollup(
    name="ledger_type_customer_quarter",
    source="billing.LedgerAccountQuarter",
    target="reports.LedgerTypeCustomerQuarter",
    watched=(),
    where=IN_ACCOUNTS,
    resolve=resolve_accounts,
    key=lambda row: (row.quarter, row.resolved[0], row.resolved[1]),
    values={"payments": sum_of("payments")},
    db_group={"quarter": F("quarter"), "customer_type": ACCOUNT_TYPE, "customer_id": F("account__customer")},
    db_values={"payments": Sum("payments")},
)

LEDGER_TYPE_CUSTOMER_ROLLUP = Rollup(
    name="ledger_type_customer",
    source="billing.LedgerAccountQuarter",
    target="reports.LedgerTypeCustomer",
    watched=(),
    where=IN_ACCOUNTS,
    resolve=resolve_accounts,
    key=lambda row: (row.resolved[0], row.resolved[1]),
    values={"payments": sum_of("payments")},
    db_group={"customer_type": ACCOUNT_TYPE, "customer_id": F("account__customer")},
    db_values={"payments": Sum("payments")},
)

READING_TYPE_ROLLUP = Rollup(
    name="reading_type_hour",
    source="reports.ReadingHour",
    target="reports.ReadingTypeHour",
    watched=(),
    where=IN_METERS,
    resolve=resolve_meters,
    key=lambda row: (row.resolved[0], row.community, row.month, row.hour),
    values={"readings": sum_of("readings"), "kw_sum": sum_of("kw_sum")},
    db_group={"customer_type": METER_TYPE, "community": F("community"), "month": F("month"), "hour": F("hour")},
    db_values={"readings": Sum("readings"), "kw_sum": Sum("kw_sum")},
)

READING_TYPE_METER_ROLLUP = Rollup(
    name="reading_type_meter",
    source="reports.ReadingHour",
    target="reports.ReadingTypeMeter",
    watched=(),
    where=IN_METERS,
    resolve=resolve_meters,
    key=lambda row: (row.resolved[0], row.community, row.month, row.meter_id),
    values={"readings": sum_of("readings")},
    db_group={"customer_type": METER_TYPE, "community": F("community"), "month": F("month"), "meter_id": F("meter_id")},
    db_values={"readings": Sum("readings")},
)

# Accounts per type. Its source is tblaccountnumbers itself, so no signal of its own: TypeMoves, which already
# resolves each affected account's type before and after a write, moves the counts (an account added, deleted,
# given another meter or customer, or a meter's or customer's type changed); bulk writers rebuild it as the others.
ACCOUNT_TYPE_COUNT_ROLLUP = Rollup(
    name="account_type_count",
    source="customers.AccountNumber",
    target="reports.AccountTypeCount",
    watched=(),
    where=(Q(customer__isnull=False), _resolved),  # account_resolutions' inner join to tblcustomer
    key=lambda row: (row.resolved[0],),
    values={"accounts": sum_of("weight")},  # fed by _count_move only: -1 for an account gone from a type, +1 come
    db_group={"customer_type": customer_type_expression("meter__customer_type", "customer__customer_type")},
    db_values={"accounts": Count("pk")},
)

ACCOUNT_TYPE_ROLLUPS = (LEDGER_TYPE_ROLLUP, LEDGER_TYPE_CUSTOMER_QUARTER_ROLLUP, LEDGER_TYPE_CUSTOMER_ROLLUP)
METER_TYPE_ROLLUPS = (READING_TYPE_ROLLUP, READING_TYPE_METER_ROLLUP)


def _changed(before, after):
    """The ids (sorted) whose resolution differs between ``before`` and ``after`` ({id: resolution})."""
    return sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))


def _move(rollups, id_field, before, after):
    """Move the source cells of the ids whose resolution changed from ``before`` to ``after`` ({id: resolution or
    None}) in ``rollups`` (which share a source)."""
    changed = _changed(before, after)
    if not changed:
        return
    source = rollups[0].source
    names = [f.attname for f in source._meta.concrete_fields if f.attname != "id"]
    for chunk in chunks(changed, KEYS_PER_QUERY):
        cells = [
            SimpleNamespace(**cell) for cell in source.objects.filter(**{f"{id_field}__in": chunk}).values(*names).order_by()
        ]
        for rollup in rollups:
            rollup.add(
                [SimpleNamespace(**vars(c), resolved=before.get(getattr(c, id_field))) for c in cells], sign=-1, resolved=True
            )
            rollup.add([SimpleNamespace(**vars(c), resolved=after.get(getattr(c, id_field))) for c in cells], resolved=True)


def _count_move(before, after):
    """Move ACCOUNT_TYPE_COUNT_ROLLUP by the accounts whose resolution went from ``before`` to ``after``: one add, so
    the changes are summed per type first (a move within a type is no write) and applied in one fixed order (two
    opposite moves never lock the same cells in opposite orders)."""
    changed = _changed(before, after)
    rows = [SimpleNamespace(resolved=before[key], weight=-1) for key in changed if key in before]
    rows += [SimpleNamespace(resolved=after[key], weight=1) for key in changed if key in after]
    ACCOUNT_TYPE_COUNT_ROLLUP.add(rows, resolved=True)


class TypeMoves:
    """Signals on tblcustomer, tblmeter and tblaccountnumbers that move cells of the rollups by type when a save or
    delete changes what their type (or customer) resolves to, in the writing transaction. A save that changes none
    of the watched fields costs one read."""

    WATCHED = {
        "customers.Customer": ("customer_type",),
        "customers.Meter": ("customer_type", "customer_id"),
        "customers.AccountNumber": ("customer_id", "meter_id"),
    }
    ATTRIBUTE = "_type_moves_before"

    def connect(self):
        for label in self.WATCHED:
            uid = f"type_moves_{label}"
            pre_save.connect(self._before_save, sender=label, dispatch_uid=f"{uid}_pre_save")
            post_save.connect(self._after, sender=label, dispatch_uid=f"{uid}_post_save")
            pre_delete.connect(self._before_delete, sender=label, dispatch_uid=f"{uid}_pre_delete")
            post_delete.connect(self._after, sender=label, dispatch_uid=f"{uid}_post_delete")

    @staticmethod
    def _affected(sender, pk):
        """(account numbers, meter serials) whose type or customer follows the row ``pk`` of ``sender``."""
        from customers.models import AccountNumber, Customer, Meter

        if sender is Customer:
            return (
                list(AccountNumber.objects.filter(customer_id=pk).values_list("pk", flat=True)),
                list(Meter.objects.filter(customer_id=pk).values_list("pk", flat=True)),
            )
        if sender is Meter:
            return list(AccountNumber.objects.filter(meter_id=pk).values_list("pk", flat=True)), [pk]
        return [pk], []

    def _snapshot(self, sender, pk):
        accounts, meters = self._affected(sender, pk)
        return accounts, meters, account_resolutions(accounts), meter_resolutions(meters)

    def _before_save(self, sender, instance, raw=False, update_fields=None, **kwargs):
        setattr(instance, self.ATTRIBUTE, None)
        watched = self.WATCHED[sender._meta.label]
        if raw or instance.pk is None or (update_fields is not None and not set(update_fields) & set(watched)):
            return
        before = sender.objects.filter(pk=instance.pk).values(*watched).first()
        if before is None:  # a new row: nothing followed it yet
            setattr(instance, self.ATTRIBUTE, ([], [], {}, {}))
        elif any(before[field] != getattr(instance, field) for field in watched):
            setattr(instance, self.ATTRIBUTE, self._snapshot(sender, instance.pk))

    def _before_delete(self, sender, instance, **kwargs):
        setattr(instance, self.ATTRIBUTE, self._snapshot(sender, instance.pk))

    def _after(self, sender, instance, raw=False, **kwargs):
        state = getattr(instance, self.ATTRIBUTE, None)
        setattr(instance, self.ATTRIBUTE, None)
        if raw or state is None:
            return
        accounts, meters, accounts_before, meters_before = state
        now_accounts, now_meters = self._affected(sender, instance.pk)
        accounts, meters = set(accounts) | set(now_accounts), set(meters) | set(now_meters)
        accounts_after = account_resolutions(accounts)
        _move(ACCOUNT_TYPE_ROLLUPS, "account_id", accounts_before, accounts_after)
        _count_move(accounts_before, accounts_after)
        _move(METER_TYPE_ROLLUPS, "meter_id", meters_before, meter_resolutions(meters))


TYPE_MOVES = TypeMoves()

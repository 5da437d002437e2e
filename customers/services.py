"""Every change to customers, meters and accounts: one transaction each, with history (who and why)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from ccportal.history import history_delete, history_save
from customers import selectors
from customers.models import AccountNumber, Customer, Meter, Site

ALLOCATION_ATTEMPTS = 5
# Fields a person may change on a customer (the ID and the record-creation stamp are the system's).
CUSTOMER_EDITABLE_FIELDS = [
    "first_name",
    "middle_name",
    "last_name",
    "gender",
    "national_id",
    "phone",
    "cell_phone_1",
    "cell_phone_2",
    "email",
    "site_code",
    "district",
    "city",
    "plot_number",
    "street_address",
    "gps_y",
    "gps_x",
    "customer_type",
    "date_service_connected",
    "date_service_terminated",
    "country",
]


def _employee_stamp(by):
    return str(by)[:100] if by is not None else "system"


@transaction.atomic
def customer_create(*, by, reason="Registered in the New Customer wizard", **fields):
    """Register a customer; `RECORD CREATE DATE` / `RECORD CREATED BY` come from the clock and the employee."""
    unknown = set(fields) - set(CUSTOMER_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not customer fields: {sorted(unknown)}")
    customer = Customer(**fields)
    customer.record_create_date = timezone.now()
    customer.record_created_by = _employee_stamp(by)
    customer.full_clean()
    return history_save(customer, by=by, reason=reason)


@transaction.atomic
def customer_update(*, customer, changes, by, reason, expected_version=None):
    """Change some fields of a customer (only the changed ones are written); returns the customer.

    With ``expected_version`` (selectors.customer_version when the form was opened), a save made after
    someone else changed the customer is refused rather than silently overwriting their change."""
    unknown = set(changes) - set(CUSTOMER_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why you make this change."})
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if expected_version is not None and selectors.customer_version(customer) != str(expected_version):
        latest = Customer.history.filter(customer_id=customer.pk).select_related("history_user").order_by("-history_id").first()
        who = latest.history_user.get_full_name() if latest and latest.history_user else "someone else"
        raise ValidationError(
            f"{who} changed this customer at {timezone.localtime(latest.history_date):%H:%M} after you opened the form. "
            "Reload the page to see their change, then make yours again."
        )
    for field, value in changes.items():
        setattr(customer, field, value)
    # Legacy values in untouched fields must not block an edit of another field.
    customer.full_clean(exclude=[f.name for f in Customer._meta.fields if f.name not in changes], validate_unique=False)
    return history_save(customer, by=by, reason=reason.strip())


@transaction.atomic
def customer_terminate(*, customer, on, by, reason):
    """End the service: sets `DATE SERVICE TERMINATED` and the meters' status; the ledger is kept."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.date_service_connected and on < customer.date_service_connected:
        raise ValidationError(
            {"on": f"The service cannot end before it was connected ({customer.date_service_connected:%Y-%m-%d})."}
        )
    customer.date_service_terminated = on
    history_save(customer, by=by, reason=reason)
    for meter in Meter.objects.filter(customer=customer).exclude(current_status="terminated"):
        meter.current_status = "terminated"
        history_save(meter, by=by, reason=reason)
    return customer


@transaction.atomic
def customer_delete(*, customer, by, reason):
    """Delete a customer registered by mistake. Refused while any of their accounts has ledger rows:
    terminate instead. Their accounts go and their meters are freed."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if selectors.customer_has_ledger_rows(customer):
        raise ValidationError(
            "This customer has ledger rows, so the record is kept for the accounts: terminate the service instead."
        )
    try:
        with transaction.atomic():
            for account in AccountNumber.objects.filter(customer=customer):
                history_delete(account, by=by, reason=reason)
            for meter in Meter.objects.filter(customer=customer):
                meter.customer = None
                meter.accountnumber = ""
                meter.current_status = ""
                history_save(meter, by=by, reason=reason)
            history_delete(customer, by=by, reason=reason)
    except ProtectedError as error:
        kinds = sorted({obj._meta.verbose_name_plural for obj in error.protected_objects})
        raise ValidationError(
            f"Other records still point at this customer ({', '.join(kinds)}): terminate the service instead."
        ) from None


@transaction.atomic
def meter_assign(
    *,
    customer,
    meterid,
    site_code,
    customer_type,
    by,
    village="",
    latitude=None,
    longitude=None,
    connect_date=None,
    accountnumber=None,
    reason="",
):
    """Put a meter on a new account for the customer, writing `tblmeter` and `tblaccountnumbers` together.

    The account number is the next free one for the site, allocated here inside the transaction; the
    primary key on `tblaccountnumbers` refuses a number another clerk took at the same moment, and the
    allocation is then retried in a savepoint. A meter on another active account is refused. A customer who
    already has an account gets another only with a ``reason`` (kept in the history)."""
    reason = " ".join((reason or "").split())
    if not reason:
        existing = list(AccountNumber.objects.filter(customer=customer).values_list("accountnumber", flat=True)[:5])
        if existing:
            raise ValidationError(
                {
                    "reason": f"Customer {customer.pk} already has account {', '.join(existing)}: "
                    "say why they need another one (kept in the history)."
                }
            )
    reason = f"Meter assigned: {reason}" if reason else "Meter assigned"
    meterid = meterid.strip()
    site_code = site_code.upper()
    connect_date = connect_date or timezone.localdate()
    for _attempt in range(ALLOCATION_ATTEMPTS):
        active = selectors.meter_active_account(meterid)
        if active is not None:
            raise ValidationError(
                {
                    "meterid": f"Meter {meterid} is already on active account {active.accountnumber} "
                    f"(customer {active.customer.pk} {active.customer.full_name}). Terminate that account first."
                }
            )
        if accountnumber and AccountNumber.objects.filter(accountnumber=accountnumber).exists():
            raise ValidationError({"accountnumber": f"Account {accountnumber} already exists."})
        try:
            with transaction.atomic():
                # Allocations for one site queue on the site's row (released at commit), so concurrent clerks
                # do not keep colliding on the same number; the primary key and the retry stay as a backstop.
                if not Site.objects.select_for_update().filter(code=site_code).exists():
                    raise ValidationError({"site_code": f"There is no site {site_code}."})
                try:
                    number = accountnumber or selectors.account_number_next(site_code)
                except ValueError as error:
                    raise ValidationError({"site_code": str(error)}) from None
                return _meter_and_account_write(
                    customer=customer,
                    meterid=meterid,
                    number=number,
                    site_code=site_code,
                    customer_type=customer_type,
                    village=village,
                    latitude=latitude,
                    longitude=longitude,
                    connect_date=connect_date,
                    by=by,
                    reason=reason,
                )
        except IntegrityError:
            if accountnumber:
                raise ValidationError({"accountnumber": f"Account {accountnumber} was just taken."}) from None
            continue  # someone took this number (or this meter) a moment ago: look again
    raise ValidationError("Could not allocate an account number just now: please try again.")


def _meter_and_account_write(
    *, customer, meterid, number, site_code, customer_type, village, latitude, longitude, connect_date, by, reason
):
    now = timezone.now()
    meter = Meter.objects.select_for_update().filter(pk=meterid).first()
    created = meter is None
    if created:
        meter = Meter(meterid=meterid, record_create_date=now, record_created_by=_employee_stamp(by))
    meter.customer = customer
    meter.accountnumber = number
    meter.community = site_code
    meter.customer_type = customer_type
    meter.village_name = village or ""
    meter.latitude = latitude
    meter.longitude = longitude
    meter.current_status = "active"
    meter.customer_connect_date = connect_date
    history_save(meter, by=by, reason=reason, force_insert=created)
    account = AccountNumber(
        accountnumber=number,
        customer=customer,
        meter=meter,
        community=site_code,
        opened_date=now,
        created_by=_employee_stamp(by),
    )
    return history_save(account, by=by, reason=reason, force_insert=True)

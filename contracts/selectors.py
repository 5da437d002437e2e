"""Read queries of the contracts app: a customer's contract versions, accounts, commissionings and next step,
the provider's signature."""

from contracts.models import Commissioning, ContractVersion
from customers.models import AccountNumber

CONTRACTS_SHOWN = 50


def contracts_for_customer(customer, *, limit=CONTRACTS_SHOWN):
    """The customer's contract versions, newest first, with who made them and their commissioning (2 queries
    at most whatever the count; a customer has a handful, so the newest ``limit`` are plenty)."""
    return list(
        ContractVersion.objects.filter(customer=customer)
        .select_related("created_by", "commissioning", "account")
        .order_by("-created_at", "-id")[:limit]
    )


def accounts_for_commissioning(customer):
    """The customer's accounts, each with its meter, newest first."""
    return AccountNumber.objects.filter(customer=customer).select_related("meter").order_by("-opened_date", "accountnumber")


def commissioning_detail(pk):
    return (
        Commissioning.objects.select_related("customer", "account", "meter", "commissioned_by")
        .prefetch_related("contract_versions")
        .get(pk=pk)
    )


def customer_next_step(customer, accounts):
    """What Customer Detail offers first: {"step": "assign_meter" | "commission" | "customer_data", "account": the
    account number Customer Data opens, or ""}. ``accounts`` are the page's (customers.selectors.customer_accounts,
    with has_ledger_rows). An account is in service once it is commissioned here, or has ledger rows (customers
    connected before the portal, from the ACDB, have no commissioning record); one query at most."""
    if not accounts:
        return {"step": "assign_meter", "account": ""}
    numbers = [a.accountnumber for a in accounts]
    commissioned = set(Commissioning.objects.filter(account_id__in=numbers).values_list("account_id", flat=True))
    for account in accounts:
        if account.accountnumber in commissioned or getattr(account, "has_ledger_rows", False):
            return {"step": "customer_data", "account": account.accountnumber}
    return {"step": "commission", "account": ""}


def provider_signature_read(signatory):
    """The bytes of ``signatory``'s signature image as stored, or None when its file is missing."""
    try:
        with signatory.signature.open("rb") as handle:
            return handle.read()
    except (FileNotFoundError, ValueError):  # ValueError: the field names no file
        return None

"""Template tags of the contracts app: the Contracts card of Customer Detail, so the customers app's page shows
a customer's contracts without importing the app above it."""

from django import template

from contracts.selectors import contracts_for_customer

register = template.Library()


@register.inclusion_tag("contracts/_customer_contracts.html", takes_context=True)
def customer_contracts(context, customer):
    """The Contracts card of ``customer``: its contract versions (contracts_for_customer), with the page's
    capabilities, request and CSRF token for the commission and re-send buttons."""
    return {
        "customer": customer,
        "contract_versions": contracts_for_customer(customer),
        "can": context.get("can"),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }

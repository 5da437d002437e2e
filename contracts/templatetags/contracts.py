"""Template tags of the contracts app: the Contracts card of Customer Detail, so the customers app's page shows
a customer's contracts and its next step without importing the app above it, and the details marked in the
contract text."""

from django import template
from django.template.base import render_value_in_context
from django.utils.html import format_html

from contracts.selectors import contracts_for_customer, customer_next_step

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


@register.simple_tag(takes_context=True)
def term(context, name, value):
    """A detail the officer can still change before the customer signs: as any value in the issued contract; in
    the preview on Commission Customer, marked so the page's script shows the details as they are typed."""
    text = render_value_in_context(value, context)
    if not context.get("preview"):
        return text
    return format_html('<span data-contract-term="{}">{}</span>', name, text)


@register.simple_tag
def customer_next(customer, accounts):
    """Customer Detail's primary action (contracts.selectors.customer_next_step): {% customer_next c accounts as next %}."""
    return customer_next_step(customer, accounts)

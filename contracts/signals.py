"""Signals contracts sends after its writes commit, for the apps above it (messaging) to act on.

- commissioned(commissioning_id, by, link_base_url): a customer was commissioned and their contracts issued;
  ``link_base_url`` is the portal address the officer used (for the signed contract link).
"""

import django.dispatch

commissioned = django.dispatch.Signal()

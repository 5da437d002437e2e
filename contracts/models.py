"""Contract records and commissioning (added by the commissioning work)."""

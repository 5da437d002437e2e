"""Report-side tables (site generation readings are added by the reports work)."""

"""The billing pages, one module per subject: tariffs, financial, payments (import, queue, lookup), customer_data."""

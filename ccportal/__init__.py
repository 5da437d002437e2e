"""The 1PWR Customer Care portal: project package (settings, URLs, shared helpers)."""

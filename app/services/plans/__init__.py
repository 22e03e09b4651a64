"""Plans for the pages: reading them, filtering their actions, and a plan's own settings."""

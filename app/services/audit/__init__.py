"""The audit trail: `trail` records who did what (in the caller's transaction); `reading` is the admin's log."""

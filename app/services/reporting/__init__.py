"""Reporting on plans: the lead's dashboard, its charts, and traceability from local actions to strategy."""

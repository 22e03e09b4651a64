"""Changing actions: owners' updates, leads' edits, and the version check that refuses a stale form."""

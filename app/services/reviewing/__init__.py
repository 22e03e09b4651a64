"""Reviewing: the plan lead's queue of RAGs to decide, the decisions, review meetings, and the RAG rules."""

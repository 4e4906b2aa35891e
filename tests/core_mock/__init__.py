"""Tests of the core-banking mock (run on SQLite and PostgreSQL)."""

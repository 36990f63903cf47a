"""Persistence: SQLModel tables, the engine and sessions, queries, delivery rows, migrations."""

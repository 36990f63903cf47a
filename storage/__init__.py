"""Persistence: SQLModel tables, the engine, queries and the seed loader."""

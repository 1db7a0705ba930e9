"""The data model: entity schemas, generated SQL tables, database set-up, built-in rows."""

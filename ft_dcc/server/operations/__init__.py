"""Operations: migrating the schema, backing up and restoring, the service unit and where its
secrets come from."""

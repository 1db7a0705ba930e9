"""Host adapters: thin layers that know only their own host API."""

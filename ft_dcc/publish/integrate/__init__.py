"""A publish on the server: its one planned read, its one commit, and the notes it addresses."""

"""What every room of the server may use: its errors, token text, numbers from the environment."""

"""The web review page: links and identity, what it shows, feedback it takes, live updates."""

"""ft_dcc's version, in one place: ``ft_dcc.__version__``, ``ft-dcc --version``, the embedded
server's ``/health`` and the storage stamp it writes (``pyproject.toml`` says the same; a test
holds them together). In the protocol room, which client and server share, importing nothing:
the server reads it without importing the client (``import-linter``'s contracts)."""

__version__ = "0.2.0"

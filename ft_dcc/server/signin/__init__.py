"""People sign in: a browser's sign-in with a user name and password, or a one-time link.

The seam the desk and the review room use: :func:`current_person` (who a request is signed in
as, ``None`` once the sign-in ended), :func:`require_csrf` and :func:`csrf_token_for`, and the
:class:`Person` they speak of. The routes are :mod:`.routes`; the tables :mod:`.tables`; the
commands (``ft-dcc user password``, ``ft-dcc user signin-link``) :mod:`.commands`.
"""

from ft_dcc.server.signin.person import (
    Person,
    SignInRefused,
    csrf_token_for,
    current_person,
    require_csrf,
)

__all__ = ["Person", "SignInRefused", "csrf_token_for", "current_person", "require_csrf"]

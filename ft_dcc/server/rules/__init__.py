"""The rules every write obeys: registered objects the batch walks (see ``rules.registry``).

:func:`default_rules` is the registry every store uses; a rule is added by registering it
there, never by editing the batch's loop.
"""

from __future__ import annotations

from ft_dcc.server.rules.ftrack import AuthorRecipientRule, NoteCategoryRule
from ft_dcc.server.rules.integrity import IntegrityRule
from ft_dcc.server.rules.note_todos import NoteTodoRule
from ft_dcc.server.rules.ownership import OwnershipRule
from ft_dcc.server.rules.passphrase import PassphraseRule
from ft_dcc.server.rules.permissions import AccessRule
from ft_dcc.server.rules.references import ReferencesRule
from ft_dcc.server.rules.registry import Rule, RuleRegistry
from ft_dcc.server.rules.review import ClosedSessionRule
from ft_dcc.server.rules.review_settings import ReviewSettingsRule
from ft_dcc.server.rules.review_window import ReviewWindowRule
from ft_dcc.server.rules.settings import ProjectSettingsRule

__all__ = ["Rule", "RuleRegistry", "default_rules"]


def default_rules() -> RuleRegistry:
    """The server's rules, in the order they run."""
    registry = RuleRegistry()
    for rule in (
        AccessRule(),
        OwnershipRule(),
        ProjectSettingsRule(),
        ReviewSettingsRule(),
        NoteTodoRule(),
        IntegrityRule(),
        ReviewWindowRule(),
        AuthorRecipientRule(),
        NoteCategoryRule(),
        PassphraseRule(),
        ClosedSessionRule(),
        ReferencesRule(),
    ):
        registry.register(rule)
    return registry

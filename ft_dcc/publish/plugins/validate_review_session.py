"""Validate the target review session: open if it exists; if not, not a misspelt open one."""

import pyblish.api

TEMPLATE_KEY = "naming.review_session"  # its default names a publish given no settings


class ValidateReviewSessionOpen(pyblish.api.ContextPlugin):
    """A closed review session takes no new content: stop before anything is written.

    A name that matches no session but is within two edits (case-insensitive) of an open
    session of the project is probably a typo: the host asks the artist (hosts without a UI
    answer no) and the publish fails naming the close match, unless the request says
    ``new_review_session``. A clearly new name is created as always, and so is a name the
    settings' ``naming.review_session`` template makes beside open ones it makes too (today's
    "Dailies 2026-11-26" beside yesterday's "Dailies 2026-11-25").
    """

    label = "Review session open"
    #: the settings' naming.review_session (None: its default): the names it makes for other
    #: dates are no typos of this publish's
    template = None
    order = pyblish.api.ValidatorOrder + 0.1

    def process(self, context):
        from ft_dcc.publish.shared.state import (
            NO_CONNECTION,
            SESSION_NAME_KEY,
            connection_of,
            defer,
            item_of,
            publishing,
            skip,
            task_facts_of,
        )  # fmt: skip
        from ft_dcc.review import sessions as review

        connection = connection_of(context.data)
        if connection.offline:
            defer(context, self)
            return
        if not connection.online:
            skip(context, self, NO_CONNECTION)
            return
        project = task_facts_of(context.data).project
        name = context.data.get(SESSION_NAME_KEY)
        views = [item_of(each).view for each in publishing(context)]
        if project is None or not name or not views or views[0] is None:
            return  # the task validator failed and said why (or nothing is published)
        found = views[0].review_session  # the planned read of ValidateTask
        if found is None:
            self._check_not_misspelt(context, name, views[0].open_sessions)
            self.log.info("Review session %r will be created", name)
            return
        review.ensure_open(found)
        self.log.info("Review session %r is open", name)

    def _check_not_misspelt(self, context, name, names):
        from ft_dcc.publish.shared.state import NEW_SESSION_KEY, publish_of
        from ft_dcc.review.names import misspelt_session_error, near_names
        from ft_dcc.settings.keys import BY_NAME

        publish = publish_of(context)
        if publish.request.new_review_session or context.data.get(NEW_SESSION_KEY):
            return
        template = self.template or BY_NAME[TEMPLATE_KEY].default
        matches = near_names(name, names, str(template))
        if not matches:
            return
        question = (
            f"No review session is called {name!r}, but {matches[0]!r} is open. "
            f"Create a new session {name!r} anyway?"
        )
        if publish.host.ask(question, False):
            context.data[NEW_SESSION_KEY] = True  # asked again after a repair: not twice
            self.log.info("Creating %r although %r is open (the artist said so)", name, matches[0])
            return
        raise misspelt_session_error(name, matches)

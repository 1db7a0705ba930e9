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
    order = pyblish.api.ValidatorOrder + 0.1

    def process(self, context):
        from ft_dcc.publish.state import NO_CONNECTION, defer, skip, state_of
        from ft_dcc.review import sessions as review

        state = state_of(context)
        if state.offline:
            defer(context, self)
            return
        if not state.online:
            skip(context, self, NO_CONNECTION)
            return
        if state.project is None:  # the task validator failed and said why
            return
        if state.review_session_name is None:  # the collector did not run
            return
        if state.view is not None:  # the planned read of ValidateTask
            found = state.view.review_session
        else:
            found = review.find_review_session(
                state.connected_session(), state.project, state.review_session_name
            )
        if found is None:
            self._check_not_misspelt(state)
            self.log.info("Review session %r will be created", state.review_session_name)
            return
        review.ensure_open(found)
        self.log.info("Review session %r is open", state.review_session_name)

    def _check_not_misspelt(self, state):
        from ft_dcc.review.names import misspelt_session_error, near_names, open_session_names
        from ft_dcc.settings.keys import BY_NAME

        name = state.review_session_name
        if state.request.new_review_session or state.new_session_approved:
            return
        if state.view is not None:
            names = state.view.open_sessions
        else:
            names = open_session_names(state.connected_session(), state.project)
        template = state.request.review_session_template or BY_NAME[TEMPLATE_KEY].default
        matches = near_names(name, names, str(template))
        if not matches:
            return
        question = (
            f"No review session is called {name!r}, but {matches[0]!r} is open. "
            f"Create a new session {name!r} anyway?"
        )
        if state.host.ask(question, False):
            state.new_session_approved = True  # the publish's other reviewables do not ask
            self.log.info("Creating %r although %r is open (the artist said so)", name, matches[0])
            return
        raise misspelt_session_error(name, matches)

"""The one exception hierarchy of ft_dcc.

Every error says what went wrong and what to do next: ``str(error)`` is the message and, when the
caller can act on it, ``error.hint`` says how. Secrets (API keys) never appear in either.
"""

from __future__ import annotations

from typing import List, Optional, Tuple


class FtDccError(Exception):
    """Base class of every error ft_dcc raises on purpose."""

    default_hint: str = ""

    def __init__(self, message: str, hint: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


# -- configuration ----------------------------------------------------------------------------
class ConfigurationError(FtDccError):
    """Settings are missing or invalid; raised before any network call."""


class SettingsError(ConfigurationError):
    """A studio/project settings document or value is invalid (see :mod:`ft_dcc.settings`);
    nothing invalid is stored or used."""


# -- the API session --------------------------------------------------------------------------
class ApiError(FtDccError):
    """Base of every error raised while talking to an ftrack server."""


class ServerError(ApiError):
    """The server answered with an error; ``exception`` is the server's exception name."""

    def __init__(self, message: str, exception: str = "ServerError", hint: Optional[str] = None):
        super().__init__(message, hint)
        self.exception = exception


class AuthenticationError(ServerError):
    """The server rejected the API user or key."""

    default_hint = "check FTRACK_API_USER and FTRACK_API_KEY (or the api_user/api_key arguments)"


class PermissionDeniedError(ServerError):
    """The server refused an operation the API user's security role does not allow."""

    default_hint = (
        "ask an administrator of the ftrack server to do it, or to give your user a security "
        "role that allows it"
    )


class DuplicateEntryError(ServerError):
    """A create lost to an existing entity (e.g. a concurrent publish created it first)."""

    default_hint = "query the existing entity and use it; nothing in the refused batch was written"


class DeletedIdError(ServerError):
    """A create named the id of a deleted entity, which the server never uses again (its
    ``IntegrityError`` reply's ``error_code`` is ``deleted_id``): ``entity_type`` and
    ``entity_id`` name it. A client deriving ids from names takes the id's next generation
    (:func:`ft_dcc.review.sessions.derived_id`); nothing in the refused batch was written."""

    default_hint = (
        "send a new id (or none: the server makes one); the deleted entity's trail and links "
        "stay with its old id"
    )

    def __init__(
        self,
        message: str,
        exception: str = "IntegrityError",
        hint: Optional[str] = None,
        *,
        entity_type: str = "",
        entity_id: str = "",
    ):
        super().__init__(message, exception, hint)
        self.entity_type = entity_type
        self.entity_id = entity_id


class UnexpectedReplyError(ServerError):
    """The server answered an operation with a reply of another shape than its action's (say, a
    list where ``get_widget_url`` answers an object): see :mod:`ft_dcc.session.replies`."""

    default_hint = "check that FTRACK_SERVER points at an ftrack server of a supported version"

    def __init__(
        self, message: str, exception: str = "UnexpectedResponse", hint: Optional[str] = None
    ):
        super().__init__(message, exception, hint)


class ApiConnectionError(ApiError):
    """The server could not be reached, even after retries."""

    default_hint = "check FTRACK_SERVER and that the server is running; the publish can be queued"


class NoResultFoundError(ApiError):
    """``one()`` found nothing."""


class MultipleResultsFoundError(ApiError):
    """``one()`` found more than one entity."""


class UploadError(ApiError):
    """A file could not be uploaded completely; nothing was committed for it."""


class ServerStorageError(UploadError):
    """The server could not store an upload: its disk is full or read-only (not a network fault)."""

    default_hint = (
        "the server's disk is full or read-only: ask the server admin to free space; nothing was "
        "committed and the publish can be sent again later"
    )


class EventHubError(ApiError):
    """The event hub is unreachable or refused a message; the rest of the session still works."""


# -- media ------------------------------------------------------------------------------------
class MediaError(FtDccError):
    """Encoding, probing or thumbnailing failed, or the movie is not what review needs."""


# -- publishing -------------------------------------------------------------------------------
class PublishError(FtDccError):
    """A publish could not complete; nothing half-done was left on the server."""


class ValidationError(PublishError):
    """A validator refused the publish before anything was captured or written.

    A check that finds several things at once raises one error naming them all, its
    ``findings`` the parts (and ``notes``, what it found that is no problem): when the settings
    turn the check to ``warn``, the pipeline keeps the notes and each finding as its own warning.
    """

    def __init__(self, message: str, hint: Optional[str] = None) -> None:
        super().__init__(message, hint)
        #: the problems this error names at once (empty: itself alone)
        self.findings: List[ValidationError] = []
        #: what the check found that is no problem (warnings, kept when the check warns)
        self.notes: List[str] = []


class CaptureError(PublishError):
    """The host could not capture the playblast."""


class RequestError(PublishError):
    """A publish request read from JSON (a headless host's request file, a farm node's) has a
    field that is unknown, of the wrong type or of a newer format; the message names it."""

    default_hint = (
        "the request was not written by this ft_dcc: run the same ft_dcc version on both sides "
        "(the caller and the host or farm node)"
    )


class ReviewSessionNameError(FtDccError):
    """A review session (or project) name matches none, or more than one."""


class CutError(FtDccError):
    """An editor's cut that cannot be read, or (``--strict``) that does not match the project."""


class ClientRulesError(FtDccError):
    """A client-review rule (passphrase, window, downloads) cannot be set as asked."""


class InvalidEmailError(FtDccError):
    """An e-mail address cannot be invited."""


class ReviewSessionMisspeltError(ValidationError):
    """A review session to create is named a few typos away from an open one (``name``, the
    open ``matches``: ``ft_dcc.review.names.misspelt_session_error`` sets them)."""

    name: str = ""
    matches: Tuple[str, ...] = ()

    def question(self) -> str:
        """The refusal as the question a host asks the artist: create the session anyway?"""
        create = f"a new session {self.name!r}" if self.name else "it as a new session"
        return f"{self.message[:1].upper()}{self.message[1:]}\nCreate {create} anyway?"


class ReviewSessionClosedError(PublishError):
    """The target review session is closed to new content."""

    default_hint = "choose another review session, or ask its owner to reopen it"


class QueueError(FtDccError):
    """The offline queue could not store or replay a publish."""


class HostError(FtDccError):
    """A host integration is missing, or its application could not be started."""


class FarmError(FtDccError):
    """A farm submission or one of its job's steps cannot go on (see :mod:`ft_dcc.farm`)."""


class ColourError(MediaError):
    """An OCIO config, colourspace, display or view cannot be used for the review's colour."""

    default_hint = "check --ocio-config, --input-colorspace, --display and --view"


class DatabaseSetupError(FtDccError):
    """The embedded server's database cannot be used (URL, reachability, rights, version).

    The message is one line naming the database (never its password) and what to do.
    """


class FeedbackError(FtDccError):
    """A note's drawing cannot be laid over the viewport (it does not download, it is not a PNG),
    or two versions cannot be compared in a review page (neither is in a review session)."""


class UnsafePathError(FtDccError):
    """A file name built from stored or server data would land outside the folder it belongs in
    (see :mod:`ft_dcc.safe_paths`); nothing was written there."""

    default_hint = (
        "a name on the server (a component's file type, a version or note name) is not a plain "
        "file name; ask whoever set it to correct it, or an administrator"
    )


class BackupError(FtDccError):
    """The embedded server's backup could not be taken, or restored (``ft-dcc server backup``,
    ``restore``); a restore that fails leaves the target as it found it, or says what is left."""


class DataInUseError(BackupError):
    """A data dir or database is locked by the other side: a running server refuses a restore
    into it, a restore refuses a server starting on it (``ft_dcc.server.runtime.data_lock``)."""

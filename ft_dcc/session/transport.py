"""HTTP transport: one ``POST {server}/api`` per batch, with timeouts, retries and error mapping."""

from __future__ import annotations

import json
import logging
import time
from typing import Callable, Dict, List, Mapping, Optional, Sequence

from ft_dcc.exceptions import (
    ApiConnectionError,
    AuthenticationError,
    DeletedIdError,
    DuplicateEntryError,
    PermissionDeniedError,
    ServerError,
)
from ft_dcc.protocol import (
    API_PATH,
    ERROR_DELETED_ID,
    HEADER_API_KEY,
    HEADER_STRICT,
    HEADER_USER,
)
from ft_dcc.protocol.json_value import JsonObject, JsonValue
from ft_dcc.session.auth import SessionAuthentication, redact
from ft_dcc.session.http_post import PostFailed, Reply, make_poster, plain_reason
from ft_dcc.session.options import DEFAULT_TRANSPORT, TransportOptions

log = logging.getLogger(__name__)

#: Server exception names that mean "your credentials were rejected".
AUTHENTICATION_EXCEPTIONS = frozenset(
    {"FTAuthenticationError", "InvalidCredentialsError", "AuthenticationError"}
)
#: Server exception names with their own client exception (same message, a hint what to do).
SPECIFIC_ERRORS = {"PermissionError": PermissionDeniedError, "IntegrityError": DuplicateEntryError}
#: HTTP statuses worth retrying: the server or a proxy in front of it is briefly unavailable.
RETRY_STATUSES = frozenset({500, 502, 503, 504})
UNAVAILABLE = 503
__all__ = ["Transport", "plain_reason"]


class Transport:
    """Sends operation batches to an ftrack server and returns their decoded results."""

    def __init__(
        self,
        server_url: str,
        auth: SessionAuthentication,
        options: TransportOptions = DEFAULT_TRANSPORT,
    ) -> None:
        self.server_url = server_url.rstrip("/")
        self.api_url = self.server_url + API_PATH
        self.timeout = options.timeout
        self.retry = options.retry._replace(retries=max(0, int(options.retry.retries)))
        self._auth = auth
        self._poster = make_poster(self.api_url, options.timeout)
        self.headers: Dict[str, str] = {
            "content-type": "application/json",
            "accept": "application/json",
            "accept-encoding": "gzip",
            HEADER_STRICT: "true" if options.strict_api else "false",
            **(options.headers or {}),
        }
        self.request_count = 0

    @property
    def retries(self) -> int:
        """How often a request is retried (see :class:`RetryPolicy`)."""
        return self.retry.retries

    @retries.setter
    def retries(self, value: int) -> None:
        self.retry = self.retry._replace(retries=max(0, int(value)))

    def __repr__(self) -> str:
        return f"Transport({self.api_url!r}, auth={self._auth!r})"

    def close(self) -> None:
        self._poster.close()

    def call(
        self,
        operations: Sequence[Mapping[str, object]],
        encode: Optional[Callable[[object], object]] = None,
    ) -> List[JsonValue]:
        """POST ``operations`` in one request; return the parsed JSON result list.

        Raises ``AuthenticationError`` for rejected credentials (including HTTP 401),
        ``ServerError`` for any other error the server reports, and ``ApiConnectionError`` when
        the server cannot be reached after ``retries`` retries.
        """
        body = json.dumps(operations, default=encode, separators=(",", ":")).encode("utf-8")
        actions = [op.get("action") for op in operations]
        headers = {
            **self.headers,
            HEADER_API_KEY: self._auth._api_key,
            HEADER_USER: self._auth.api_user,
        }
        attempt = 0
        while True:
            started = time.monotonic()
            try:
                self.request_count += 1
                response = self._poster.post(self.api_url, body, headers)
            except PostFailed as error:
                reason = redact(error.reason, self._auth._api_key)
                if error.arrived and _mutates(actions):
                    raise ApiConnectionError(
                        f"The connection to {self.server_url} broke while sending {actions}; "
                        f"the server may or may not have applied them: {reason}",
                        hint="query the server to see what was saved before committing again",
                    ) from None
                if attempt >= self.retries:
                    raise ApiConnectionError(
                        f"Could not reach the ftrack server at {self.server_url} ({reason}; "
                        f"tried {attempt + 1} time{'s' if attempt else ''})"
                    ) from None
                self._sleep(attempt, reason)
                attempt += 1
                continue
            log.debug(
                "POST %s %s -> %s in %.3fs",
                self.api_url,
                actions,
                response.status_code,
                time.monotonic() - started,
            )
            if _retryable(response) and attempt < self.retries:
                self._sleep(attempt, f"HTTP {response.status_code}")
                attempt += 1
                continue
            if response.status_code == UNAVAILABLE:
                raise self._unavailable(response, attempt)
            return self._parse(response, actions)

    # -- internals ---------------------------------------------------------------------------

    def _unavailable(self, response: Reply, attempt: int) -> ApiConnectionError:
        """A 503 past the retries: the server applied nothing and cannot work now (its
        database is down, say), which a caller treats as unreachable: a publish is queued."""
        said = _snippet(_said(response), self._auth._api_key)
        return ApiConnectionError(
            f"The ftrack server at {self.server_url} is unavailable (HTTP 503"
            f"{': ' + said if said else ''}; tried {attempt + 1} time{'s' if attempt else ''})"
        )

    def _sleep(self, attempt: int, reason: str) -> None:
        delay = self.retry.delay(attempt)
        log.info(  # the caller says what the outcome means; a retry is not news
            "ftrack server %s unavailable (%s); retrying in %.1fs", self.server_url, reason, delay
        )
        time.sleep(delay)

    def _parse(self, response: Reply, actions: List[object]) -> List[JsonValue]:
        payload: JsonValue
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if isinstance(payload, dict) and "exception" in payload:
            raise self._server_error(payload, response.status_code)
        if response.status_code == 401:
            raise AuthenticationError(
                f"The ftrack server at {self.server_url} rejected the credentials of "
                f"{self._auth.api_user!r} (HTTP 401)",
                exception="AuthenticationError",
            )
        if response.status_code >= 400:
            raise ServerError(
                f"The ftrack server answered HTTP {response.status_code} to {actions}: "
                f"{_snippet(response.text, self._auth._api_key)}",
                exception=f"HTTP{response.status_code}",
            )
        if not isinstance(payload, list):
            raise ServerError(
                f"The ftrack server answered {actions} in an unexpected format: "
                f"{_snippet(response.text, self._auth._api_key)}",
                exception="UnexpectedResponse",
                hint="check that FTRACK_SERVER points at an ftrack server",
            )
        return payload

    def _server_error(self, payload: JsonObject, status: int) -> ServerError:
        name = str(payload.get("exception") or "ServerError")
        content = redact(str(payload.get("content", "")), self._auth._api_key)
        message = f"Server reported error: {name}({content})"
        if name in AUTHENTICATION_EXCEPTIONS or status == 401:
            error: ServerError = AuthenticationError(message, exception=name)
        elif payload.get("error_code") == ERROR_DELETED_ID:  # typed: no text is matched
            error = DeletedIdError(message, exception=name,
                                   entity_type=str(payload.get("entity_type") or ""),
                                   entity_id=str(payload.get("entity_id") or ""))  # fmt: skip
        else:
            error = SPECIFIC_ERRORS.get(name, ServerError)(message, exception=name)
        error.error_code = payload.get("error_code")  # type: ignore[attr-defined]
        error.status_code = status  # type: ignore[attr-defined]
        log.debug("server error %s (HTTP %s): %s", name, status, content)
        return error


MUTATING_ACTIONS = frozenset({"create", "update", "delete"})


def _mutates(actions: List[object]) -> bool:
    return any(action in MUTATING_ACTIONS for action in actions)


def _retryable(response: Reply) -> bool:
    """A 503 is never applied (the server says it cannot work now), so it is always resent;
    500, 502 and 504 only when no ftrack error says the server itself refused the request."""
    if response.status_code == UNAVAILABLE:
        return True
    return response.status_code in RETRY_STATUSES and not _is_error_payload(response)


def _said(response: Reply) -> str:
    """What an answer says: an ftrack error's ``content``, else its body."""
    try:
        payload = response.json()
    except ValueError:
        return response.text
    return str(payload.get("content", "")) if isinstance(payload, dict) else response.text


def _is_error_payload(response: Reply) -> bool:
    try:
        payload = response.json()
    except ValueError:
        return False
    return isinstance(payload, dict) and "exception" in payload


def _snippet(text: str, secret: str, limit: int = 300) -> str:
    text = redact(text.strip(), secret)
    return text if len(text) <= limit else text[:limit] + "..."

"""The rules of a review sent to a client, as typed in the terminal: checked before anything is
sent (a refused option writes nothing), then written by :mod:`ft_dcc.review.client_write`.

Where each rule lives is ftrack's own schema: ``ReviewSession.passphrase`` /
``passphrase_enabled``, ``start_date`` / ``end_date`` (the window), and the session's
``EntitySetting`` rows of group ``review`` (``download_policy``, ``watermark``; the revocation
marks). Dates: an ISO date or time (UTC when it names no zone), ``now``, or ``+N`` followed by
``h``, ``d`` or ``w`` (``+7d``): ``--opens`` counts from now, ``--closes`` from ``--opens`` when
it is given, else from now. A window opened without a closing date lasts
:data:`CLIENT_WINDOW_DAYS` (ftrack's client review is open a week by default).
"""

from __future__ import annotations

import datetime as _dt
import getpass
import re
import sys
from typing import Dict, Optional, Tuple

import attr

from ft_dcc.exceptions import ClientRulesError
from ft_dcc.protocol.client_review import (
    CLIENT_VERDICT_SETS_STATUS,
    CLIENTS_SEE_EACH_OTHER,
    DEFAULT_STILL_HOLD,
    DOWNLOAD_POLICY,
    STILL_HOLD,
    STILL_HOLD_LIMITS,
    WATERMARK,
)
from ft_dcc.session.interface import PublishSession

#: how the commands name each download policy
DOWNLOAD_WORDS = {
    "none": "none (watch only)",
    "proxy": "review proxy",
    "original": "original files",
}
#: a client window given only its opening lasts this long (ftrack's client review: a week)
CLIENT_WINDOW_DAYS = 7
MIN_PASSPHRASE = 8
MAX_PASSPHRASE = 256
_RELATIVE = re.compile(r"^\+(\d{1,4})([hdw])$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)


def shown(when: _dt.datetime) -> str:
    """A date as the commands print it: ``2031-01-05 00:00 UTC``."""
    return when.astimezone(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def parse_when(text: str, option: str, base: _dt.datetime) -> _dt.datetime:
    """``text`` as an aware UTC time: ``now``, ``+7d`` (after ``base``), an ISO date or time."""
    typed = text.strip()
    relative = _RELATIVE.match(typed.lower())
    if relative:
        return base + _dt.timedelta(**{_UNITS[relative.group(2)]: int(relative.group(1))})
    if typed.lower() == "now":
        return _now()
    try:
        when = _dt.datetime.fromisoformat(typed.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ClientRulesError(
            f"{option} {text!r} is not a date",
            hint="give an ISO date or time (2031-01-05, 2031-01-05T18:00Z; UTC unless it says "
            "otherwise), now, or +Nh/+Nd/+Nw such as +7d",
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    return when.astimezone(_dt.timezone.utc)


def check_passphrase(text: str) -> str:
    """A passphrase to set: 8 to 256 characters, not only spaces (never quoted back)."""
    if len(text.strip()) < MIN_PASSPHRASE:
        raise ClientRulesError(
            f"a passphrase needs at least {MIN_PASSPHRASE} characters",
            hint="a few words are easy to say on the phone and hard to guess",
        )
    if len(text) > MAX_PASSPHRASE:
        raise ClientRulesError(f"a passphrase has at most {MAX_PASSPHRASE} characters")
    return text


def read_passphrase(path: Optional[str], ask: bool) -> Optional[str]:
    """The passphrase of ``--passphrase-file PATH`` (its first line; ``-``: standard input) or
    of ``--ask-passphrase`` (typed twice, not shown); None when neither is given."""
    if path is not None:
        try:
            if path == "-":
                line = sys.stdin.readline()
            else:
                with open(path, encoding="utf-8") as handle:
                    line = handle.readline()
        except OSError as exc:
            raise ClientRulesError(
                f"cannot read --passphrase-file {path}: {exc.strerror}"
            ) from None
        return check_passphrase(line.rstrip("\r\n"))
    if not ask:
        return None
    first = check_passphrase(getpass.getpass("Passphrase for the client: "))
    if getpass.getpass("The same again: ") != first:
        raise ClientRulesError("the two passphrases differ: nothing was changed")
    return first


#: a window's opening and closing (None: not given / not set)
Window = Tuple[Optional[_dt.datetime], Optional[_dt.datetime]]


@attr.s(auto_attribs=True, frozen=True, kw_only=True)
class ClientRules:
    """What to set; None leaves a rule as it is. ``passphrase`` set turns the passphrase on."""

    passphrase: Optional[str] = attr.ib(default=None, repr=False)
    passphrase_enabled: Optional[bool] = None
    opens: Optional[_dt.datetime] = None
    closes: Optional[_dt.datetime] = None
    downloads: Optional[str] = None
    watermark: Optional[bool] = None
    #: a client's verdict moves the version's status (``client_verdict_sets_status``)
    client_verdicts_set_status: Optional[bool] = None
    #: invited clients see each other (``clients_see_each_other``)
    clients_see_each_other: Optional[bool] = None
    #: seconds "Play all" holds a still (``still_hold_seconds``)
    still_hold: Optional[float] = None

    def settings(self) -> Dict[str, str]:
        """The ``EntitySetting`` rows (group ``review``) these rules write: name -> value."""
        rows: Dict[str, str] = {}
        if self.downloads is not None:
            rows[DOWNLOAD_POLICY] = self.downloads
        if self.watermark is not None:
            rows[WATERMARK] = "true" if self.watermark else "false"
        for name, value in ((CLIENT_VERDICT_SETS_STATUS, self.client_verdicts_set_status),
                            (CLIENTS_SEE_EACH_OTHER, self.clients_see_each_other)):
            if value is not None:
                rows[name] = "true" if value else "false"
        if self.still_hold is not None:
            rows[STILL_HOLD] = f"{self.still_hold:g}"
        return rows


@attr.s(auto_attribs=True, frozen=True)
class StudioDefaults:
    """The settings' ``client_review.*``: the rules a new session starts with."""

    downloads: str = "none"
    watermark: bool = False
    open_days: int = 30


def check_still_hold(seconds: Optional[float]) -> Optional[float]:
    """``--still-hold``'s seconds, or :class:`ClientRulesError` saying the range."""
    low, high = STILL_HOLD_LIMITS
    if seconds is not None and not low <= seconds <= high:
        raise ClientRulesError(
            f"--still-hold {seconds:g} is not {low:g} to {high:g} seconds",
            hint=f"give how long Play all shows a still, e.g. --still-hold {DEFAULT_STILL_HOLD:g}",
        )
    return seconds


def studio_defaults(session: PublishSession, project: str) -> StudioDefaults:
    """``project``'s resolved ``client_review.*`` (the settings file and the server's studio
    and project documents; a broken document raises SettingsError)."""
    from ft_dcc.settings.load import load

    resolved = load(project, session=session)
    return StudioDefaults(
        downloads=resolved.text("client_review.downloads"),
        watermark=resolved.flag("client_review.watermark"),
        open_days=resolved.integer("client_review.open_days"),
    )


def with_defaults(given: ClientRules, defaults: StudioDefaults) -> ClientRules:
    """``given`` with the studio's downloads and watermark where it names none (a default
    that is the rule's no-row meaning adds nothing)."""
    downloads = given.downloads
    if downloads is None and defaults.downloads != "none":
        downloads = defaults.downloads
    watermark = given.watermark
    if watermark is None and defaults.watermark:
        watermark = True
    return attr.evolve(given, downloads=downloads, watermark=watermark)


def window(
    opens_text: Optional[str],
    closes_text: Optional[str],
    current: Window = (None, None),
) -> Window:
    """``--opens`` / ``--closes`` as times (None: not given), checked against each other and
    the session's ``current`` start and end: the window must close after it opens, and not
    in the past. An opening given alone on a new session closes a week later."""
    now = _now()
    opens = parse_when(opens_text, "--opens", now) if opens_text else None
    closes = parse_when(closes_text, "--closes", opens or now) if closes_text else None
    if opens is not None and closes is None and current == (None, None):
        closes = opens + _dt.timedelta(days=CLIENT_WINDOW_DAYS)
    start, end = opens or current[0], closes or current[1]
    if closes is not None and closes <= now:
        raise ClientRulesError(
            f"--closes {shown(closes)} has passed",
            hint="to close the session now: ft-dcc review close NAME",
        )
    if start is not None and end is not None and end <= start:
        opening = "--opens" if opens is not None else "the session's opening"
        closing = "--closes" if closes is not None else "the session's closing"
        raise ClientRulesError(
            f"{closing} ({shown(end)}) is not after {opening} ({shown(start)})",
            hint="give a closing date after the opening (or both --opens and --closes)",
        )
    return opens, closes

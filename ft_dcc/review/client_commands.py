"""The work behind ``ft-dcc review update`` and ``ft-dcc review revoke``, and the client-rule
options ``review create`` shares (the parser: :mod:`ft_dcc.review.commands`).

Every option is checked before anything is written; the passphrase is never printed (the lines
say only whether one is set).
"""

from __future__ import annotations

import argparse
from typing import Callable, List

from ft_dcc.exceptions import ClientRulesError
from ft_dcc.review import client_rules as rules
from ft_dcc.review import client_write
from ft_dcc.review.cli import find_invitee
from ft_dcc.review.sessions import _aware
from ft_dcc.session.interface import EntityLike, PublishSession

#: ``_target(session, args)``: the one review session NAME (and --project) names
Target = Callable[[PublishSession, argparse.Namespace], EntityLike]


def rules_of(args: argparse.Namespace, current: rules.Window = (None, None)) -> rules.ClientRules:
    """The rules the options ask for, checked (``current``: the session's start and end)."""
    passphrase = args.passphrase
    if passphrase is not None:
        rules.check_passphrase(passphrase)
    else:
        passphrase = rules.read_passphrase(args.passphrase_file, args.ask_passphrase)
    opens, closes = rules.window(args.opens, args.closes, current)
    return rules.ClientRules(
        passphrase=passphrase,
        passphrase_enabled=False if args.no_passphrase else None,
        opens=opens,
        closes=closes,
        downloads=args.downloads,
        watermark=args.watermark,
        client_verdicts_set_status=getattr(args, "client_verdicts_set_status", None),
        clients_see_each_other=getattr(args, "clients_see_each_other", None),
        still_hold=rules.check_still_hold(getattr(args, "still_hold", None)),
    )


def rule_lines(wanted: rules.ClientRules) -> List[str]:
    """What ``wanted`` sets, one line per rule (never the passphrase itself)."""
    lines = []
    if wanted.passphrase is not None:
        lines.append("passphrase: set (not shown)")
    elif wanted.passphrase_enabled is False:
        lines.append("passphrase: off")
    if wanted.opens is not None:
        lines.append(f"opens: {rules.shown(wanted.opens)}")
    if wanted.closes is not None:
        lines.append(f"closes: {rules.shown(wanted.closes)}")
    if wanted.downloads is not None:
        lines.append(f"downloads: {rules.DOWNLOAD_WORDS[wanted.downloads]}")
    if wanted.watermark is not None:
        lines.append(f"watermark: {'on' if wanted.watermark else 'off'}")
    if wanted.client_verdicts_set_status is not None:
        moves = "move" if wanted.client_verdicts_set_status else "do not move"
        lines.append(f"client verdicts: {moves} the version's status")
    if wanted.clients_see_each_other is not None:
        see = "see" if wanted.clients_see_each_other else "do not see"
        lines.append(f"clients: {see} each other")
    if wanted.still_hold is not None:
        lines.append(f"still hold: {wanted.still_hold:g} s in Play all")
    return lines


def update(session: PublishSession, args: argparse.Namespace, target: Target) -> List[str]:
    """``review update``: set the rules the options name on the session, in one commit."""
    review_session = target(session, args)
    current = (_aware(review_session["start_date"]), _aware(review_session["end_date"]))
    wanted = rules_of(args, current)
    lines = rule_lines(wanted)
    if not lines:
        raise ClientRulesError(
            "nothing to change",
            hint="give --passphrase/--passphrase-file/--ask-passphrase/--no-passphrase, "
            "--opens, --closes, --downloads, --watermark/--no-watermark, "
            "--client-verdicts-set-status, --clients-see-each-other or --still-hold",
        )
    client_write.apply_rules(session, review_session, wanted)
    session.commit()
    return [f"Updated review session {review_session['name']!r}:"] + [f"  {x}" for x in lines]


def revoke(
    session: PublishSession, args: argparse.Namespace, review_session: EntityLike
) -> List[str]:
    """``review revoke``: end the session's client links issued until now (one invitee's)."""
    invitee = None
    whose = "every client link"
    if args.invitee:
        invitee = find_invitee(session, review_session, args.invitee)
        whose = f"the links of {args.invitee}"
    done = client_write.revoke(session, review_session, invitee)
    head = f"Revoked {whose} to {review_session['name']!r} issued until now:"
    return [head] + [f"  {line}" for line in done]

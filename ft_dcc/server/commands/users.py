"""``ft-dcc user``: add the embedded server's users, give and take back their roles, set their
sign-in password, print a one-time sign-in link. Only the standard library is imported here;
the server extra is loaded inside the handlers."""

from __future__ import annotations

import argparse
import os
import re
from typing import TYPE_CHECKING, Optional, Tuple, Union

from ft_dcc.commands_base import Command, Group, arg
from ft_dcc.server.commands.options import (
    DATA,
    DATABASE,
    MISSING_EXTRA,
    PASSWORD_SOURCE,
    config_of,
    error,
)

#: ``--role`` choices (stdlib only here: ft_dcc.server.rules.role_grants maps them to ftrack's
#: role names)
ROLE_CHOICES = ("administrator", "project-manager", "supervisor", "user")

if TYPE_CHECKING:
    from ft_dcc.server.runtime.config import ServerConfig
    from ft_dcc.server.store.store import Store


def _user_target(args: argparse.Namespace) -> Tuple[Optional[ServerConfig], str]:
    """The server ``user add`` writes to, and how to name it: ``--data``/``--database`` when
    given, else the embedded server ``FTRACK_SERVER`` names (from its record, see
    ``runtime.running``), else the default data dir. ``(None, why)`` when ``FTRACK_SERVER``
    names a server whose data dir cannot be found."""
    config = config_of(args)
    url = os.environ.get("FTRACK_SERVER", "").strip()
    if args.data or config.database_url or not url:
        return config, _credentials_url(config)
    from ft_dcc.server.runtime.running import find_record, records_dir

    record = find_record(url)
    if record is not None:
        from dataclasses import replace

        return replace(config, data_dir=record.data_dir, database_url=record.database_url), url
    if _credentials_url(config) and _same_address(_credentials_url(config), url):
        return config, url
    return None, (
        f"FTRACK_SERVER is {url}, but no embedded server on this machine records serving it "
        f"(records: {records_dir()}), so its data dir is unknown and no user was added. Give "
        "the data dir that server was started with: ft-dcc user add NAME --data DIR; or unset "
        f"FTRACK_SERVER to add the user to the default data dir {config.data_dir}. On a real "
        "ftrack server, add users in its web app."
    )


def _credentials_url(config: ServerConfig) -> str:
    """The server URL the data dir's ``credentials.env`` names ("" when none)."""
    try:
        text = config.credentials_file.read_text(encoding="utf-8")
    except OSError:
        return ""
    found = re.search(r"^export FTRACK_SERVER=(\S+)$", text, re.M)
    return found.group(1) if found else ""


def _same_address(first: str, second: str) -> bool:
    from ft_dcc.server.runtime.running import address_key

    return address_key(first) is not None and address_key(first) == address_key(second)


def _user_store(args: argparse.Namespace) -> Union[int, Tuple[Store, ServerConfig, str]]:
    """The store ``ft-dcc user`` writes to, its config and how to name its server; or the exit
    status of the error it said."""
    config, server_url = _user_target(args)
    if config is None:
        return error(server_url)
    try:
        from ft_dcc.exceptions import DatabaseSetupError
        from ft_dcc.server.store.store import Store
    except ImportError as exc:
        return error(f"{MISSING_EXTRA} ({exc})")
    config.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        return Store(config.resolved_database_url), config, server_url
    except DatabaseSetupError as exc:
        return error(exc)


def add_user(args: argparse.Namespace) -> int:
    """Add a user (or replace its key); prints the key when it was generated, and where."""
    opened = _user_store(args)
    if isinstance(opened, int):
        return opened
    store, config, server_url = opened
    from ft_dcc.server.http.auth import KeyRing
    from ft_dcc.server.runtime.seed import SeedError
    from ft_dcc.server.runtime.seed import add_user as add_store_user

    keys = KeyRing(store.engine, store.metadata)
    try:
        if getattr(args, "role", None):
            _check_role(store, args)  # a role that cannot be given adds no user
        user_id, key, role = add_store_user(store, keys, args.name, args.api_key, args.admin)
        if getattr(args, "role", None):
            role = _give_role(store, user_id, args)
    except (SeedError, ValueError) as exc:
        return error(exc)
    finally:
        store.engine.dispose()
    if args.api_key:
        print(f"ft-dcc user: '{args.name}' ({user_id}, {role}) uses the given API key")
    else:
        print(f"ft-dcc user: '{args.name}' ({user_id}, {role}) API key: {key}  (shown once)")
    server = f"the embedded server at {server_url}" if server_url else "the embedded server"
    print(f"  written to {server}: data dir {config.data_dir}, database {store.describe()}")
    if getattr(args, "password_file", None) or getattr(args, "password_stdin", False):
        return _signin_command(args, "run_password")
    return 0


def _signin_command(args: argparse.Namespace, name: str) -> int:
    """Run ``ft_dcc.server.signin.commands``'s ``name`` for the server ``user add`` writes to."""
    config, server_url = _user_target(args)
    if config is None:
        return error(server_url)
    try:
        from ft_dcc.server.signin import commands as signin_commands
    except ImportError as exc:
        return error(f"{MISSING_EXTRA} ({exc})")
    run = getattr(signin_commands, name)
    return int(run(args, config, server_url))


def set_password(args: argparse.Namespace) -> int:
    return _signin_command(args, "run_password")


def signin_link(args: argparse.Namespace) -> int:
    return _signin_command(args, "run_signin_link")


def _role_scope(args: argparse.Namespace) -> Tuple[str, object]:
    from ft_dcc.server.rules.role_grants import Scope, role_name

    scope = Scope(all_projects=bool(args.all_projects),
                  all_open_projects=bool(args.all_open_projects),
                  projects=tuple(args.project or ()))  # fmt: skip
    return role_name(args.role), scope


def _check_role(store: Store, args: argparse.Namespace) -> None:
    """Raise ``RoleError`` (a ValueError) when ``args.role`` cannot be given as the options say."""
    from ft_dcc.server.rules.role_grants import Scope, check

    name, scope = _role_scope(args)
    assert isinstance(scope, Scope)
    with store.engine.connect() as connection:
        check(store, connection, name, scope)


def _give_role(store: Store, user_id: str, args: argparse.Namespace) -> str:
    """Give ``args.role`` over the projects the options say (``ft-dcc user add|role``)."""
    from ft_dcc.server.rules.role_grants import Scope, grant

    name, scope = _role_scope(args)
    assert isinstance(scope, Scope)
    with store.write_transaction() as connection:
        return grant(store, connection, user_id, name, scope)


def set_role(args: argparse.Namespace) -> int:
    """``ft-dcc user role NAME``: give a role (``--role``), take one back (``--take-back``), or
    say the user's roles."""
    opened = _user_store(args)
    if isinstance(opened, int):
        return opened
    store = opened[0]
    from ft_dcc.server.rules import role_grants

    try:
        with store.engine.connect() as connection:
            user_id = role_grants.user_id_named(store, connection, args.name)
        if user_id is None:
            return error(f"no user {args.name!r} on this server: ft-dcc user add {args.name} "
                          "--role ROLE adds one")  # fmt: skip
        if args.role:
            print(f"ft-dcc user: '{args.name}' is now {_give_role(store, user_id, args)}")
        if args.take_back:
            name = role_grants.role_name(args.take_back)
            with store.write_transaction() as connection:
                had = role_grants.take_back(store, connection, user_id, name)
            print(f"ft-dcc user: '{args.name}' {'is no longer' if had else 'was not'} {name}")
        if args.role or args.take_back:  # the running servers re-check what rests on the roles
            from ft_dcc.server.grants.bus import USER, announce

            announce(store.engine, USER, user_id)
        with store.engine.connect() as connection:
            lines = role_grants.describe_roles(store, connection, user_id)
    except ValueError as exc:
        return error(exc)
    finally:
        store.engine.dispose()
    print(f"ft-dcc user: '{args.name}' roles: {'; '.join(lines) or 'User on all projects'}")
    return 0


ROLE_HELP = ("the user's role: administrator, project-manager, supervisor (they manage every "
             "review session of the projects it covers) or user (an artist: publishes, manages "
             "the sessions they created)")  # fmt: skip
ROLE_SCOPE = Group((
    arg("--project", action="append", metavar="PROJECT", help="a project the role covers (name "
        "or id; repeatable)"),
    arg("--all-projects", action="store_true", help="the role covers every project"),
    arg("--all-open-projects", action="store_true", help="the role covers every open project "
        "(status active), as they open and close"),
), exclusive=True)  # fmt: skip


USER = Command("user", "manage API users of the embedded server", actions=(
    Command("add", "add a user (or set its API key)", add_user, (
        arg("name", help="user name (the ftrack-user header)"),
        arg("--api-key", help="the key to use (default: a new random key, printed)"),
        arg("--admin", action="store_true", help="make the user an Administrator (the first "
            "user of a server always is one)"),
        PASSWORD_SOURCE,
        arg("--role", choices=ROLE_CHOICES, help=ROLE_HELP),
        ROLE_SCOPE,
        DATA,
        DATABASE,
    )),
    Command("role", "give a user a role, take one back, or list their roles", set_role, (
        arg("name", help="user name"),
        arg("--role", choices=ROLE_CHOICES, help=ROLE_HELP + "; replaces their earlier grant "
            "of that role"),
        ROLE_SCOPE,
        arg("--take-back", choices=ROLE_CHOICES, metavar="ROLE", help="take this role back"),
        DATA,
        DATABASE,
    ), "Roles are ftrack's own SecurityRole, UserSecurityRole and UserSecurityRoleProject rows: "
       "a Supervisor or Project Manager manages every review session of the projects the role "
       "covers (present, approve, add, remove and order versions, invite, client rules, "
       "revoke, close and reopen, export, audit), whoever created it. See SECURITY.md."),
    Command("password", "set a user's password for the sign-in page (ends their sign-ins)",
            set_password, (
        arg("name", help="user name"),
        PASSWORD_SOURCE,
        DATA,
        DATABASE,
    ), "Set the password NAME signs in with at the server's page (/). It is read from a file, "
       "standard input, or asked twice on a terminal; never given as an argument."),
    Command("signin-link", "print a one-time sign-in link for a user", signin_link, (
        arg("name", help="user name"),
        arg("--minutes", type=int, default=60, help="how long the link works (default: 60)"),
        DATA,
        DATABASE,
    ), "Print a link that signs NAME in once at the server's page, within --minutes; a "
       "person without a password yet (or who forgot it) signs in with it."),
), metavar="COMMAND")  # fmt: skip
#: what ``ft-dcc`` offers from here (``ft_dcc.cli.COMMAND_MODULES``)
COMMANDS = (USER,)

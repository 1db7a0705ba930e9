"""``ft-dcc``'s command line is declared as data (``ft_dcc.commands_base``): every command line
the table declares answers ``--help``, and a command given without its action shows its help."""

from __future__ import annotations

import pytest

from ft_dcc.cli import commands, main
from ft_dcc.commands_base import walk

LINES = walk(commands())


def test_the_table_declares_every_area_s_commands() -> None:
    names = {line[0] for line in LINES}
    assert {"server", "user", "publish", "queue", "context", "host", "review"} <= names
    assert {"demo", "settings", "farm"} <= names
    assert ("review", "audit") in LINES and ("server", "migrate") in LINES
    assert len(LINES) == len(set(LINES)), "a command line is declared twice"


@pytest.mark.parametrize("line", LINES, ids=" ".join)
def test_each_declared_command_answers_help(line, capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*line, "--help"])
    assert exited.value.code == 0
    shown = capsys.readouterr().out
    assert shown.startswith(f"usage: ft-dcc {' '.join(line)}"), shown[:200]


@pytest.mark.parametrize(
    "command", [c for c in commands() if c.actions and c.run is None], ids=lambda c: c.name
)
def test_a_command_without_its_action_shows_its_help(command, capsys) -> None:
    assert main([command.name]) == 2
    shown = capsys.readouterr().out
    assert shown.startswith(f"usage: ft-dcc {command.name}")
    assert all(action.name in shown for action in command.actions)

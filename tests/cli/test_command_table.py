"""``ft-dcc``'s command line is declared as data (``ft_dcc.commands_base``): every command line
the table declares answers ``--help``, and a command given without its action shows its help;
the parser ``ft-dcc`` builds for one command line (that command whole, the others by name)
answers it as the whole parser does."""

from __future__ import annotations

import pytest

from ft_dcc.cli import build_parser, commands, main
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


@pytest.fixture(scope="module")
def whole_parser():
    return build_parser()


@pytest.mark.parametrize("line", [(), *LINES], ids=lambda line: " ".join(line) or "ft-dcc")
def test_the_parser_of_one_command_line_helps_as_the_whole_one(line, whole_parser, capsys) -> None:
    shown = []
    for parser in (whole_parser, build_parser([*line, "--help"])):
        with pytest.raises(SystemExit) as exited:
            parser.parse_args([*line, "--help"])
        assert exited.value.code == 0
        shown.append(capsys.readouterr().out)
    assert shown[0] == shown[1]


@pytest.mark.parametrize("argv", [
    ["-v", "settings", "show", "--project", "p", "--host", "files", "--json"],
    ["review", "feedback", "Dailies", "--json"],
    ["server", "--port", "9999", "--workers", "2"],
], ids=lambda argv: argv[1] if argv[0] == "-v" else argv[0])  # fmt: skip
def test_the_parser_of_one_command_line_reads_it_as_the_whole_one(argv, whole_parser) -> None:
    assert vars(build_parser(argv).parse_args(argv)) == vars(whole_parser.parse_args(argv))

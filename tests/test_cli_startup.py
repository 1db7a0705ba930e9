"""``ft-dcc`` builds its parser from every area's command module; those modules load their real
work inside the handler (``ft_dcc/cli.py``). Every ``ft-dcc`` process pays for what building the
parser imports: the server (and each of its workers' parent), every CLI and farm step, each
publish a host hands to ``ft-dcc publish``."""

import subprocess
import sys

#: what building the parser may load of the project: the dispatcher, each area's package and
#: command module (``ft_dcc.cli.COMMAND_MODULES``), and the small pieces they share
SHARED = (
    "ft_dcc",
    "ft_dcc.cli",
    "ft_dcc.commands_base",
    "ft_dcc.console",
    "ft_dcc.exceptions",
    "ft_dcc.progress",
    "ft_dcc.server.commands.options",  # what the server and user commands share (stdlib only)
)
#: stdlib-only constants a parser offers as choices (``settings show --host``)
CHOICES = ("ft_dcc.settings.hosts",)

SCRIPT = """
import sys
before = set(sys.modules)
import ft_dcc.cli
ft_dcc.cli.build_parser()
print("\\n".join(sorted(set(sys.modules) - before)))
"""


def _loaded_by_the_parser():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout.split()


def test_building_the_parser_loads_only_the_command_modules():
    from ft_dcc.cli import COMMAND_MODULES

    loaded = _loaded_by_the_parser()
    allowed = set(SHARED) | set(CHOICES) | set(COMMAND_MODULES)
    allowed |= {name.rsplit(".", depth)[0] for name in COMMAND_MODULES
                for depth in range(1, name.count("."))}  # their packages  # fmt: skip
    project = [name for name in loaded if name == "ft_dcc" or name.startswith("ft_dcc.")]
    extra = [n for n in project if n not in allowed and not n.startswith("ft_dcc.protocol")]
    assert not extra, f"building the parser imported {extra}"
    assert set(COMMAND_MODULES) <= set(loaded)  # it did build every command


def test_building_the_parser_loads_neither_attrs_nor_ssl():
    heavy = {"attr", "ssl", "http.client"} & set(_loaded_by_the_parser())
    assert not heavy, sorted(heavy)


def test_the_choices_modules_import_only_the_standard_library():
    """What the parser may load beside the command modules is constants, nothing more."""
    import ast
    import importlib.util

    for name in CHOICES:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin
        with open(spec.origin, encoding="utf-8") as source:
            tree = ast.parse(source.read())
        imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
        assert not imports, f"{name} imports {[ast.dump(n) for n in imports]}"

"""An HONEST fake of Maya's Python package, for tests only (never installed, never shipped).

Put on ``sys.path`` only by ``tests/maya/conftest.py``. It models the Maya 2025 commands the
ft_dcc adapter uses (``maya/cmds_schema.json``, from pymel's command cache) and fails where real
Maya fails:

* an unknown flag raises ``TypeError("Invalid flag 'x'")``; short and long names both work;
* a flag used outside its create/query/edit modes, or with the wrong number or type of
  arguments (``widthHeight`` needs two ints), raises;
* ``playblast`` accepts only the formats of the simulated platform (Linux: ``image``) and known
  image compressions, refuses a missing output folder and existing files without
  ``forceOverwrite``, writes real PNG frames ``<filename>.<frame:0{pad}d>.png`` and returns
  ``<filename>.####.png``;
* in batch mode (``maya._fake.state.batch``) UI commands raise ``RuntimeError``;
* a command it does not model raises ``NotImplementedError`` rather than pretending.

Test code drives and inspects it through ``maya._fake.state`` (scene, cameras, panels, dialog
answers, call log). Fake-only conventions are marked "fake:" in messages.
"""

"""``python -m ft_dcc`` is the same as the ``ft-dcc`` command."""

from ft_dcc.cli import main

raise SystemExit(main())

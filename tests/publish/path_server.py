"""``ft-dcc server`` (this script's arguments) with every AssetVersion INSERT recorded: the
project's calls that led to it (``call_path``), from the first of the request's, saved as JSON
in ``$FT_DCC_TEST_PATH_OUT`` each time one is seen."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_path import StackRecorder
from sqlalchemy.engine.default import DefaultDialect
from starlette.concurrency import run_in_threadpool

from ft_dcc.cli import main

OUT = Path(os.environ["FT_DCC_TEST_PATH_OUT"])
EXECUTES = (DefaultDialect.do_execute.__code__, DefaultDialect.do_executemany.__code__)


def inserts_a_version(frame, event, arg):
    if frame.f_code not in EXECUTES:
        return False
    statement = " ".join(str(frame.f_locals.get("statement") or "").split()).lower()
    return statement.startswith(("insert into ft_asset_version ", 'insert into "ft_asset_version"'))


class SavingRecorder(StackRecorder):
    def _maybe(self, frame, event, arg):
        before = len(self.seen)
        super()._maybe(frame, event, arg)
        if len(self.seen) != before:
            self.save(OUT)


SavingRecorder(inserts_a_version, hand_off=run_in_threadpool.__code__).install()
sys.exit(main(sys.argv[1:]))

"""Submit a batch: check it, then write its bundle. The one call ``ft-dcc farm submit`` and the
hosts' "Publish on the farm" make."""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Tuple

from ft_dcc.farm.bundle import new_folder, output_folder, write_bundle
from ft_dcc.farm.model import FarmBatch
from ft_dcc.farm.plan import Submission, plan


def submit(submission: Submission, output: Optional[str] = None) -> Tuple[Path, FarmBatch]:
    """Write the bundle of ``submission`` into ``output`` (default: a new folder); return the
    bundle's folder and the batch. Bad input raises before any folder is made."""
    folder = output_folder(output)
    batch = plan(submission)
    template = write_bundle(batch, folder or new_folder())
    return template.parent, batch

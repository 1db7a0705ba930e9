"""Write a job bundle: the folder ``deadline bundle submit`` and ``openjd run`` take.

- ``template.json``: the OpenJD job template (:mod:`ft_dcc.farm.template`);
- ``parameter_values.json``: its values in the bundle format (``parameterValues``: a list of
  ``{"name", "value"}``), which ``deadline bundle submit`` reads;
- ``openjd_params.json``: the same values as one mapping, for
  ``openjd run template.json --job-param file://openjd_params.json``.

JSON is written because it needs no library (the core imports with only its four
dependencies) and both tools read it. No credential is ever written: nodes publish with the
``FTRACK_*`` of their own environment.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Optional

from ft_dcc.exceptions import FarmError
from ft_dcc.farm.model import FarmBatch
from ft_dcc.farm.template import job_template, parameter_values

TEMPLATE = "template.json"
PARAMETER_VALUES = "parameter_values.json"
OPENJD_PARAMS = "openjd_params.json"
WORK = "work"


def new_folder() -> Path:
    """A new folder for a bundle when no ``--output`` was given."""
    return Path(tempfile.mkdtemp(prefix="ft_dcc-farm-job-")).absolute()


def output_folder(output: Optional[str]) -> Optional[Path]:
    """``--output`` (refused when it already holds a bundle, or is a file), else None."""
    if not output:
        return None
    folder = Path(output).expanduser().absolute()
    if (folder / TEMPLATE).exists():
        raise FarmError(
            f"{folder} already holds a job bundle",
            hint="give a new --output folder (a bundle is run again as it is, never rewritten)",
        )
    if folder.exists() and not folder.is_dir():
        raise FarmError(f"--output {folder} is a file", hint="give a folder")
    return folder


def write_bundle(batch: FarmBatch, folder: Path) -> Path:
    """Write the bundle into ``folder``; return the template's path."""
    folder.mkdir(parents=True, exist_ok=True)
    work = batch.work_dir or folder / WORK
    values = parameter_values(batch, work)
    _write(folder / PARAMETER_VALUES, {
        "parameterValues": [{"name": name, "value": value} for name, value in values.items()]
    })  # fmt: skip
    _write(folder / OPENJD_PARAMS, values)
    _write(folder / TEMPLATE, job_template(batch))  # last: its presence marks a whole bundle
    return folder / TEMPLATE


def _write(path: Path, data: object) -> None:
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    partial.replace(path)

"""The plain options of a publish a library caller may give by keyword
(``ft_dcc.publish.publish(host, **options)``): :class:`PublishOptions`, typed once by
:func:`ft_dcc.publish.request.request.request_from_options` into the
:class:`~ft_dcc.publish.request.request.PublishRequest` the pipeline receives. ``ft-dcc publish``
types its command line straight into the request (``ft_dcc.publish.commands.request_of``), and
the request crosses to a headless host or a farm node's host in its one JSON form
(:mod:`ft_dcc.publish.request.wire`), never as these options. Only ``typing`` is imported: a
headless host reads :func:`parse_frames` before anything else of ft_dcc.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple, TypedDict, Union

#: an invitee: an e-mail, or ``{"email": ..., "name": ...}``
Invitee = Union[str, Dict[str, str]]


class ColourOptions(TypedDict, total=False):
    """The files host's OCIO options (``--ocio-config`` ... ``--look``, else ``colour.*``)."""

    ocio_config: Optional[str]
    input_colorspace: Optional[str]
    display: Optional[str]
    view: Optional[str]
    look: Optional[str]


class SettingsFields(TypedDict, total=False):
    """What the resolved studio settings give the plugins: ``StudioSettings`` fields, by name
    (``ft_dcc.publish.request.settings_options.settled`` fills them, see there for the keys)."""

    plugins: Dict[str, Dict[str, object]]


class PublishOptions(TypedDict, total=False):
    """A publish request as plain options (every key optional)."""

    inputs: List[str]  # several movies or sequences: one reviewable each (the files host)
    task: Optional[str]
    review_session_name: Optional[str]
    new_review_session: bool
    comment: str
    repair: bool
    frames: Union[List[int], str, None]  # [start, end] or "start-end"
    fps: Optional[str]
    camera: Optional[str]  # one camera; ``cameras``: several, one reviewable each
    cameras: List[str]
    write: Optional[str]  # Nuke: the Write node to publish
    writes: List[str]
    thumbnail_frame: Optional[int]
    still: bool  # one picture, published as a still (an ftrackreview-image)
    still_frame: Optional[int]  # a scene's still captures frame N (else the current)
    burnin: Optional[str]
    burnin_template: Optional[str]
    invitees: List[Invitee]
    addresses: List[str]  # ids of the task's open to-do notes the new version addresses
    asset_name: Optional[str]
    include_source: bool
    queue_dir: Optional[str]  # the offline queue; None: $FT_DCC_QUEUE_DIR or the user data dir
    work_dir: Optional[str]  # where capture and encode write; None: a temporary folder
    # -- what the studio settings give the plugins, and the task's names (settings_options)
    settings: SettingsFields
    task_names: Dict[str, str]


def parse_frames(value: object) -> Optional[Tuple[int, int]]:
    """A request's ``frames``: ``[1001, 1024]``, ``"1001-1024"``, ``"1001"`` (also negative,
    ``"-5"``) or None; ValueError for anything else."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        start, _, end = value.partition("-") if not value.startswith("-") else (value, "", "")
        return int(start), int(end or start)
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise ValueError(f"frames must be [start, end] or 'start-end', not {value!r}")
    return _frame(value[0]), _frame(value[1])


def _frame(value: object) -> int:
    if not isinstance(value, (int, float, str)):
        raise ValueError(f"a frame must be a number, not {value!r}")
    return int(value)

"""The publish's reviewables as :class:`~ft_dcc.publish.shared.state.ReviewItem` records: each bound
to its host (a Write node, an input file), with its own work folder, progress and asset name."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

from ft_dcc.progress import ReviewableTotals, for_reviewable
from ft_dcc.publish.host_port import Host
from ft_dcc.publish.request.request import Reviewable
from ft_dcc.publish.shared.naming import default_asset_name, templated_asset_name
from ft_dcc.publish.shared.state import Data, ReviewItem, ReviewScope, publish_of_data


def review_items(
    data: Data, asset_name_template: Optional[str] = None, camera: str = "scene"
) -> List[ReviewItem]:
    """One :class:`ReviewItem` per reviewable of the publish's request, in its order, named by
    the artist, else by the settings' ``asset_name_template`` (``naming.asset``), else by its
    scene; ``camera``: the settings' ``capture.camera`` ("scene": the host's choice)."""
    publish = publish_of_data(data)
    request = publish.request
    count = len(request.reviewables)
    totals = ReviewableTotals(count)  # their counts, across all of them
    items: List[ReviewItem] = []
    for index, reviewable in enumerate(request.reviewables):
        host = host_for(publish.host, reviewable)
        work = publish.work_dir
        item = ReviewItem(
            reviewable=reviewable,
            host=host,
            index=index,
            progress=for_reviewable(
                publish.progress, index, count, source_label(reviewable), totals
            ),  # which reviewable of how many; the bars and counts advance across all of them
            work_dir=(work / f"reviewable-{index + 1}" if request.several else work)
            if work is not None
            else None,
            scene=host.scene_path(),
            camera=camera if camera != "scene" else None,
            still=request.still or host.is_still(),
        )
        scope = ReviewScope(data, item)
        item.asset_name = (
            reviewable.asset_name
            or templated_asset_name(scope, asset_name_template)
            or default_asset_name(scope)
        )
        items.append(item)
    return items


def host_for(host: Host, reviewable: Reviewable) -> Host:
    """The host of a reviewable: on a host that uses cameras the source is a camera (the
    capture spec's); elsewhere a Write node or an input file, bound by ``Host.for_source``."""
    if reviewable.source and not host.uses_cameras:
        return host.for_source(reviewable.source)
    return host


def source_label(reviewable: Reviewable) -> str:
    """A reviewable as progress names it: the camera or Write node, or an input's file name."""
    return Path(reviewable.source).name if reviewable.source else ""

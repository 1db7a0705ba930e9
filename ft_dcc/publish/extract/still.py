"""A still's extract steps: its full-size review image and its thumbnail (no movie)."""

from __future__ import annotations

from pathlib import Path

from ft_dcc.publish.shared.state import ReviewScope


def review_image(state: ReviewScope, flatten: bool = False) -> Path:
    """The captured picture as a browser-ready PNG at full size, ``<work>/<asset>_review.png``
    (through the OCIO display/view when it is scene-linear; alpha as ``encode.still_alpha``
    says); sets the item's ``ftr_meta`` as ftrack stores an ``ftrackreview-image``'s."""
    from ft_dcc.media.colour import ColourTransform
    from ft_dcc.media.still import encode_review_image

    item = state.item
    source = Path(state.capture_result().files[0])
    folder = state.work_folder()
    folder.mkdir(parents=True, exist_ok=True)
    state.progress("encode", 0.0, f"making the review image of {source.name}")
    info = encode_review_image(
        source,
        folder / f"{item.asset_name}_review.png",
        colour=ColourTransform(item.colour) if item.colour is not None else None,
        flatten=flatten,
    )
    item.review_image = folder / f"{item.asset_name}_review.png"
    item.ftr_meta = dict(info.ftr_meta())
    state.progress("encode", 1.0, f"review image {info.width}x{info.height}")
    return item.review_image


def still_thumbnail(state: ReviewScope) -> Path:
    """A JPEG of the review image, ``<work>/thumbnail.jpg``."""
    from ft_dcc.media.thumbnail import make_thumbnail

    state.progress("thumbnail", 0.0, "making the thumbnail")
    item = state.item
    item.thumbnail = Path(
        make_thumbnail(state.review_image_path(), state.work_folder() / "thumbnail.jpg")
    )
    state.progress("thumbnail", 1.0, "thumbnail made")
    return item.thumbnail

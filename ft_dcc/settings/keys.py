"""Every setting ft_dcc knows: its type, default and meaning (docs/settings.md is made from this).

A key that is not declared here is refused with the nearest declared name. ``used_by`` says
which part of ft_dcc reads the value today, so a TD never sets a key that nothing reads
without knowing it.
"""

from __future__ import annotations

import difflib
from typing import Dict, Tuple

import attr

from ft_dcc.exceptions import SettingsError
from ft_dcc.protocol import client_review, review_status
from ft_dcc.settings import kinds
from ft_dcc.settings.kinds import Kind, SettingValue

#: fields of the review session's name template
SESSION_FIELDS = ("date", "year", "month", "day", "week", "project", "user")
#: fields of the asset name template
ASSET_FIELDS = ("scene", "project", "sequence", "shot", "task", "camera", "host")
#: fields of a path template (a scene path -> an ftrack task); ``*`` and ``**`` match anything
PATH_FIELDS = ("project", "episode", "sequence", "shot", "task")

PUBLISH = "ft-dcc publish"
CAPTURE = "ft-dcc publish: the capture (Blender, Maya, Nuke)"
VIEWPORT = "ft-dcc publish: the viewport capture (Blender, Maya)"
ENCODE = "ft-dcc publish: the review encode"


@attr.s(auto_attribs=True, frozen=True)
class Key:
    """One declared setting."""

    name: str
    kind: Kind
    default: SettingValue
    meaning: str
    used_by: str = PUBLISH

    def check(self, value: object) -> SettingValue:
        return self.kind.check(self.name, value)


def _severity(check: str, what: str) -> Key:
    return Key(
        f"checks.{check}",
        kinds.SEVERITY,
        "block",
        f"{what}: block stops the publish, warn publishes and reports it, off skips the check",
    )


VERDICTS = "the review page's verdicts (server)"


def review_status_keys() -> Tuple[Key, ...]:
    """The status a verdict gives the version / its task (names and defaults: the protocol's,
    which the server reads too); a name must be a status of the project's workflow."""
    meanings = {
        review_status.VERSION_ON_APPROVE: "the version's status once its reviewers approve",
        review_status.VERSION_ON_CHANGES: "the version's status once a reviewer asks for changes",
        review_status.TASK_ON_APPROVE: "the task's status once its latest version is approved",
        review_status.TASK_ON_CHANGES: "the task's status once its latest version needs changes",
    }
    return tuple(
        Key(name, kinds.OPTIONAL_TEXT, review_status.DEFAULTS[name],
            f"{meaning} (a status of the project's workflow; null: leave it alone)", VERDICTS)
        for name, meaning in meanings.items()
    )  # fmt: skip


NEW_SESSION = "ft-dcc publish and ft-dcc review create: a review session they create"


def client_review_keys() -> Tuple[Key, ...]:
    """The rules a review session a publish or ``ft-dcc review create`` creates starts with (a
    studio's default for the sessions it sends to clients; their options and ``ft-dcc review
    update`` change them per session)."""
    return (
        Key("client_review.downloads", kinds.one_of(*client_review.DOWNLOADS), "none",
            "what its client links may download: none (watch only), proxy (the review movie) "
            "or original (the published files)", NEW_SESSION),
        Key("client_review.watermark", kinds.FLAG, False,
            "burn each client viewer's name and the date into the frames they receive",
            NEW_SESSION),
        Key("client_review.open_days", kinds.integer(1, 365), 30,
            "how many days it stays open from its creation (ftrack's client review: 7)",
            NEW_SESSION),
    )  # fmt: skip


KEYS: Tuple[Key, ...] = (
    Key("capture.resolution", kinds.size(), None,
        "capture and review size; null: the scene's render resolution (times capture.scale)"),
    Key("capture.scale", kinds.number(0.1, 4.0), 1.0,
        "factor on the scene's resolution when capture.resolution is null (0.5: half size); "
        "sizes are rounded to even numbers for H.264"),
    Key("capture.camera", kinds.TEXT, "scene",
        'the camera to capture through: "scene" (the scene\'s active camera) or a camera name '
        "(Blender, Maya; --camera wins; Nuke has none)", VIEWPORT),
    Key("capture.frame_range", kinds.one_of("scene", "shot"), "scene",
        "the range to capture: the scene's start/end, or the shot's fstart/fend set in ftrack "
        "(unset or offline: the scene's, with a warning); --frames wins; movies and image "
        "sequences keep their own frames", CAPTURE),
    Key("capture.handles", kinds.integer(0, 1000), 0,
        "frames added before and after that range (not to --frames, nor to movies and image "
        "sequences)", CAPTURE),
    Key("capture.shading", kinds.one_of("scene", "wireframe", "solid", "material"), "scene",
        "viewport shading during the capture (scene: as the artist left it). Maya: the "
        "panel's displayAppearance/displayTextures (needs a panel: not in mayapy); Blender: "
        "the 3D view's shading, in a background capture Workbench wireframe/solid/solid by "
        "material colour; does not apply to Nuke", VIEWPORT),
    Key("capture.overlays", kinds.FLAG, False,
        "show viewport overlays (grid, gizmos, selection) in the capture; false turns them "
        "off (Maya: grid, manipulators, selection highlight), true leaves the view's own. A "
        "background Blender capture has none; does not apply to Nuke", VIEWPORT),
    Key("capture.hud", kinds.FLAG, False,
        "show the host's heads-up display in the capture (Maya: the panel's HUD and the "
        "playblast's ornaments; Blender: the 3D view's text info, interactive only); does not "
        "apply to Nuke", VIEWPORT),
    Key("encode.quality", kinds.integer(0, 51), 15,
        "H.264 CRF of the review movie (lower is better and larger); a movie that is already "
        "review-ready H.264 is copied, not re-encoded", ENCODE),
    Key("encode.max_size", kinds.size(), None,
        "the review movie fits inside this size (keeping its aspect, even sizes); the capture "
        "is made at that size; null: no limit", ENCODE),
    Key("encode.sound", kinds.FLAG, True,
        "include the scene's, the movie's own or --audio sound in the review (false: silent)",
        ENCODE),
    Key("encode.still_alpha", kinds.one_of("checkerboard", "flatten"), "checkerboard",
        "a still's alpha in its review image: kept (a PNG with alpha, shown over a checkerboard) "
        "or flattened over black (the original is uploaded as it is)", ENCODE),
    Key("colour.ocio_config", kinds.OPTIONAL_TEXT, None,
        "OCIO config file or ocio:// URI (null: $OCIO, else ocio://studio-config-latest); "
        "like --ocio-config", "ft-dcc publish (files host)"),
    Key("colour.display", kinds.OPTIONAL_TEXT, None,
        "OCIO display (null: the config's default); like --display", "ft-dcc publish (files host)"),
    Key("colour.view", kinds.OPTIONAL_TEXT, None,
        "OCIO view (null: the display's default); like --view", "ft-dcc publish (files host)"),
    Key("colour.look", kinds.OPTIONAL_TEXT, None,
        "OCIO look applied before the view to frames that need a transform (EXR input, Nuke "
        "Writes); --look wins; a look the config lacks is refused naming its looks. Viewport "
        "playblasts (Blender, Maya) are display-referred: it does not apply to them",
        "ft-dcc publish: the review colour"),
    Key("burnin.mode", kinds.one_of("default", "off", "on", "slate", "both"), "default",
        "burn-ins on every frame, a slate, both or none (default: on when a template is "
        "set); like --burnin"),
    Key("burnin.template", kinds.OPTIONAL_TEXT, None,
        "the burn-in/slate template file, JSON (null: $FT_DCC_BURNIN_TEMPLATE); "
        "like --burnin-template"),
    Key("naming.review_session", kinds.template(*SESSION_FIELDS), "Dailies {date}",
        "the review session's name, e.g. \"{project} client wk{week}\"; "
        "--review-session wins"),
    Key("naming.asset", kinds.template(*ASSET_FIELDS, nullable=True), None,
        "the asset's name, e.g. \"{shot}_{camera}\" (null: the scene's name without its "
        "version); --asset wins"),
    Key("paths.task_templates", kinds.path_templates(*PATH_FIELDS), [],
        "scene paths -> ftrack task when --task and $FTRACK_CONTEXTID are not given, first "
        "match wins, e.g. \"{project}/{sequence}/{shot}/{task}/**\""),
    Key("thumbnail.frame", kinds.one_of("middle", "first", "last"), "middle",
        "the frame of the thumbnail and the review page's poster; --thumbnail-frame wins"),
    *client_review_keys(),
    Key("cut.shot_from", kinds.SHOT_FROM, "clip_name",
        "which shot a cut's event is (ft-dcc review create --from-cut, ft-dcc review cut): its "
        "clip name, its reel, or a regular expression searched in the clip name whose group "
        "(?P<shot>…) is the shot's name", "ft-dcc review create --from-cut and ft-dcc review cut"),
    _severity("scene_saved", "the scene is saved before it is published"),
    _severity("frame_range", "the range and fps match the shot's in ftrack"),
    *review_status_keys(),
)  # fmt: skip

BY_NAME: Dict[str, Key] = {key.name: key for key in KEYS}

#: the check keys and the pyblish validator each one governs
CHECK_PLUGINS: Dict[str, str] = {
    "checks.scene_saved": "ValidateSceneSaved",
    "checks.frame_range": "ValidateFrameRange",
}
#: the keys one plugin owns -> (that plugin's class name, the class attribute the key sets): the
#: plugin receives them as it receives its ``plugins`` section (``settings/plugins.py``)
PLUGIN_KEYS: Dict[str, Tuple[str, str]] = {
    **{key: (plugin, "severity") for key, plugin in CHECK_PLUGINS.items()},
    "thumbnail.frame": ("ValidateThumbnailFrame", "rule"),
    "colour.look": ("ValidateColour", "look"),
    "encode.still_alpha": ("ExtractReviewImage", "still_alpha"),
    # the names the template makes are no typos of one another (it also names the session)
    "naming.review_session": ("ValidateReviewSessionOpen", "template"),
    # the capture's size
    "capture.resolution": ("CollectCaptureSpec", "resolution"),
    "capture.scale": ("CollectCaptureSpec", "scale"),
    "encode.max_size": ("CollectCaptureSpec", "max_size"),
    # how the host's viewport draws the capture
    "capture.shading": ("CollectCaptureSpec", "shading"),
    "capture.overlays": ("CollectCaptureSpec", "overlays"),
    "capture.hud": ("CollectCaptureSpec", "hud"),
    # the capture's range, and the review movie it is encoded into
    "capture.frame_range": ("CollectCaptureSpec", "frame_range"),
    "capture.handles": ("CollectCaptureSpec", "handles"),
    "encode.quality": ("CollectCaptureSpec", "quality"),
    "encode.sound": ("CollectCaptureSpec", "sound"),
    # what each reviewable is: the camera one with none of its own captures through, its name
    "capture.camera": ("CollectReviewables", "camera"),
    "naming.asset": ("CollectReviewables", "asset_name_template"),
    # the rules of a review session the publish creates
    "client_review.open_days": ("IntegrateReview", "open_days"),
    "client_review.downloads": ("IntegrateReview", "downloads"),
    "client_review.watermark": ("IntegrateReview", "watermark"),
}


def key_named(name: object) -> Key:
    """The declared key ``name``; SettingsError naming the nearest one when it is unknown."""
    key = BY_NAME.get(name) if isinstance(name, str) else None
    if key is not None:
        return key
    near = difflib.get_close_matches(str(name), list(BY_NAME), n=1, cutoff=0.5)
    hint = f"did you mean {near[0]}?" if near else "see 'ft-dcc settings show' for every key"
    raise SettingsError(f"unknown setting {name!r}", hint=hint)


def defaults() -> Dict[str, SettingValue]:
    return {key.name: key.default for key in KEYS}

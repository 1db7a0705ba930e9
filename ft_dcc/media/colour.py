"""OpenColorIO display transforms for review movies: config + input colourspace → display/view.

A review is display-referred: scene-linear frames (EXR renders, a Nuke Write's EXRs) go through
an OCIO config's display/view before they are encoded. :func:`resolve_colour` checks every name
against the config (unknown names fail with the list of valid ones, before anything is encoded);
:class:`ColourTransform` applies the resolved transform to float RGB frames.

OpenColorIO is optional (``pip install 'ft-dcc[colour]'``); inside a DCC that ships its own
``PyOpenColorIO`` (Nuke, Maya) that one is used. Nothing here is imported until a transform is
asked for, so the core imports without it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Dict, List, Optional

import attr

from ft_dcc.exceptions import ColourError
from ft_dcc.media.ocio_types import OcioConfig, OcioModule

if TYPE_CHECKING:  # numpy is optional (the colour extra); only its types are named here
    import numpy
    from numpy.typing import NDArray

#: OCIO's built-in studio config (OCIO 2.3+), and the built-in default config of OCIO 2.2.
BUILTIN_CONFIGS = ("ocio://studio-config-latest", "ocio://default")
ENV_OCIO = "OCIO"
INSTALL_HINT = "install OpenColorIO: pip install 'ft-dcc[colour]' (the opencolorio package)"


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class ColourSettings:
    """What the artist asked for; None means "the config's default" (or ``$OCIO``'s config)."""

    config: Optional[str] = None
    input_colorspace: Optional[str] = None
    display: Optional[str] = None
    view: Optional[str] = None
    look: Optional[str] = None  # an OCIO look applied before the view (None: none)

    def to_dict(self) -> Dict[str, Optional[str]]:
        return attr.asdict(self)


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class ResolvedColour:
    """Every name checked against the config: recorded with the version as it was applied."""

    config: str  # the path or ocio:// URI that was read
    config_name: str
    input_colorspace: str
    display: str
    view: str
    ocio_version: str
    look: Optional[str] = None

    def to_dict(self) -> Dict[str, Optional[str]]:
        data = attr.asdict(self)
        if data["look"] is None:  # recorded only when one was applied
            del data["look"]
        return data


def ocio_module() -> OcioModule:
    """``PyOpenColorIO`` (the host's own, or the ``opencolorio`` package); ColourError if none."""
    try:
        import PyOpenColorIO
    except ImportError as error:
        raise ColourError(
            "OpenColorIO is not available in this Python, so scene-linear frames cannot be "
            "made display-referred.",
            hint=INSTALL_HINT,
        ) from error
    return PyOpenColorIO  # untyped: ft_dcc.media.ocio_types says what we use of it


def config_location(settings: ColourSettings) -> str:
    """The config to read: the one given, else ``$OCIO``, else OCIO's built-in studio config."""
    return settings.config or os.environ.get(ENV_OCIO) or BUILTIN_CONFIGS[0]


def load_config(location: str) -> OcioConfig:
    """Read an OCIO config (a file path or an ``ocio://`` URI); ColourError when it cannot."""
    ocio = ocio_module()
    candidates = [location]
    if location == BUILTIN_CONFIGS[0]:
        candidates.append(BUILTIN_CONFIGS[1])  # OCIO 2.2 knows only the default built-in config
    error: Optional[Exception] = None
    for candidate in candidates:
        try:
            config = ocio.Config.CreateFromFile(candidate)
            config.validate()
            return config
        except Exception as exc:  # OCIO raises its own Exception type for every failure
            error = exc
    raise ColourError(
        f"The OCIO config {location!r} cannot be read: {error}",
        hint="point --ocio-config (or $OCIO) at a readable config.ocio, or use "
        f"{BUILTIN_CONFIGS[0]}",
    )


def resolve_colour(settings: ColourSettings) -> ResolvedColour:
    """Check ``settings`` against its config; fill defaults (scene_linear role, default
    display and view). ColourError names every valid choice when a name is unknown."""
    ocio = ocio_module()
    location = config_location(settings)
    config = load_config(location)
    source = _colorspace(config, settings.input_colorspace or ocio.ROLE_SCENE_LINEAR)
    displays: List[str] = list(config.getDisplays())
    display = settings.display or config.getDefaultDisplay()
    if display not in displays:
        raise ColourError(
            f"The display {display!r} is not in the OCIO config {location}.",
            hint=f"choose --display from: {_names(displays)}",
        )
    views: List[str] = list(config.getViews(display))
    view = settings.view or config.getDefaultView(display)
    if view not in views:
        raise ColourError(
            f"The view {view!r} is not a view of the display {display!r} in {location}.",
            hint=f"choose --view from: {_names(views)}",
        )
    look = _look(config, settings.look, location)
    return ResolvedColour(
        look=look,
        config=location,
        config_name=config.getName() or os.path.basename(location),
        input_colorspace=source,
        display=display,
        view=view,
        ocio_version=str(ocio.__version__),
    )


def _look(config: OcioConfig, look: Optional[str], location: str) -> Optional[str]:
    """``look`` when the config has it (None for none); ColourError naming the config's looks."""
    if not look:
        return None
    names: List[str] = list(config.getLookNames())
    if look not in names:
        raise ColourError(
            f"The look {look!r} is not in the OCIO config {location}.",
            hint=f"choose --look (or colour.look) from: {_names(names) or 'none: it has no looks'}",
        )
    return look


def _colorspace(config: OcioConfig, name: str) -> str:
    """The colourspace's own name for ``name`` (a name, an alias or a role)."""
    found = config.getColorSpace(name)
    if found is None:
        names = list(config.getColorSpaceNames())
        raise ColourError(
            f"The colourspace {name!r} is not in the OCIO config.",
            hint=f"choose --input-colorspace from: {_names(names)}",
        )
    return str(found.getName())


def _names(names: List[str]) -> str:
    return ", ".join(repr(name) for name in names)


class ColourTransform:
    """The CPU processor of one resolved config/colourspace/display/view.

    :meth:`apply_planar` transforms float32 planes in place (ffmpeg's ``gbrpf32le`` layout).
    """

    def __init__(self, resolved: ResolvedColour) -> None:
        ocio = ocio_module()
        self.resolved = resolved
        config = load_config(resolved.config)
        source = resolved.input_colorspace
        transform: object = ocio.DisplayViewTransform(
            src=source, display=resolved.display, view=resolved.view
        )
        if resolved.look:  # the look in its process space, back to the input, then the view
            look = ocio.LookTransform(src=source, dst=source, looks=resolved.look)
            transform = ocio.GroupTransform([look, transform])
        self._processor = config.getProcessor(transform).getDefaultCPUProcessor()
        self._ocio = ocio

    def apply_planar(
        self,
        red: NDArray[numpy.float32],
        green: NDArray[numpy.float32],
        blue: NDArray[numpy.float32],
        width: int,
        height: int,
    ) -> None:
        """Transform three contiguous float32 planes (numpy arrays) of one frame in place."""
        desc = self._ocio.PlanarImageDesc(red, green, blue, width, height)
        self._processor.apply(desc)

    def apply_rgb(self, pixels: NDArray[numpy.float32]) -> None:
        """Transform a contiguous float32 ``(..., 3)`` RGB array in place."""
        self._processor.applyRGB(pixels)

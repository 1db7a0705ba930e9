"""The members of OpenColorIO's Python module that :mod:`ft_dcc.media.colour` calls, as protocols.

``PyOpenColorIO`` is a compiled extension that ships no type information (no ``py.typed``, no
``.pyi``; checked with OCIO 2.2-2.6), and it is optional: a host's own copy or the ``colour``
extra. These protocols say what we rely on, so a misspelt member fails in mypy rather than in a
publish; ``tests/media/test_colour.py`` checks the real module still has each of them.
Signatures follow OCIO's own docstrings (``help(PyOpenColorIO.Config)``).
"""

from __future__ import annotations

from typing import Iterable, Optional, Protocol, Sequence, runtime_checkable


@runtime_checkable
class OcioColorSpace(Protocol):
    """``PyOpenColorIO.ColorSpace``."""

    def getName(self) -> str: ...


@runtime_checkable
class OcioCPUProcessor(Protocol):
    """``PyOpenColorIO.CPUProcessor``: transforms pixels in place."""

    def apply(self, image: object) -> None: ...  # an ImageDesc (PlanarImageDesc...)

    def applyRGB(self, data: object) -> None: ...  # a float32 buffer of RGB triples


@runtime_checkable
class OcioProcessor(Protocol):
    """``PyOpenColorIO.Processor``."""

    def getDefaultCPUProcessor(self) -> OcioCPUProcessor: ...


@runtime_checkable
class OcioConfig(Protocol):
    """``PyOpenColorIO.Config``: colourspaces, displays, views and looks of one config."""

    def validate(self) -> None: ...  # raises OCIO's Exception when the config is broken

    def getName(self) -> str: ...

    def getDisplays(self) -> Iterable[str]: ...

    def getDefaultDisplay(self) -> str: ...

    def getViews(self, display: str) -> Iterable[str]: ...

    def getDefaultView(self, display: str) -> str: ...

    def getLookNames(self) -> Iterable[str]: ...

    def getColorSpace(self, name: str) -> Optional[OcioColorSpace]: ...  # a name, alias or role

    def getColorSpaceNames(self) -> Iterable[str]: ...

    def getProcessor(self, transform: object) -> OcioProcessor: ...


@runtime_checkable
class OcioConfigClass(Protocol):
    """The ``PyOpenColorIO.Config`` class itself (its static constructors)."""

    def CreateFromFile(self, location: str) -> OcioConfig: ...  # a path or an ocio:// URI


@runtime_checkable
class OcioModule(Protocol):
    """The ``PyOpenColorIO`` module: the constructors and constants used."""

    __version__: str
    ROLE_SCENE_LINEAR: str
    Config: OcioConfigClass

    def DisplayViewTransform(self, *, src: str, display: str, view: str) -> object: ...

    def LookTransform(self, *, src: str, dst: str, looks: str) -> object: ...

    def GroupTransform(self, transforms: Sequence[object]) -> object: ...

    def PlanarImageDesc(
        self, red: object, green: object, blue: object, width: int, height: int
    ) -> object: ...

"""What the studio's settings give a publish's plugins (:class:`StudioSettings`: one field,
``plugins``), kept apart from the artist's own choices as ``PublishRequest.settings``.

``ft_dcc.publish.request.settings_options.settled`` resolves the settings' keys
(``docs/settings.md``): each key a plugin owns (``ft_dcc.settings.keys.PLUGIN_KEYS``) with the
settings' ``plugins`` section; the plugin classes receive them before the run
(``ft_dcc.settings.plugins.apply``), as AYON's ``apply_settings``: no plugin reads them from here.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Tuple, Union

import attr

from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.settings.keys import PLUGIN_KEYS

#: fields of the settings before their plugins received the keys they own (an offline journal
#: queued by an older ft_dcc, a library caller's ``settings={...}``), and the key each now is
FORMER_FIELDS = {
    "look": "colour.look",
    "still_alpha": "encode.still_alpha",
    "thumbnail_rule": "thumbnail.frame",
    "review_session_template": "naming.review_session",
    "resolution": "capture.resolution",
    "scale": "capture.scale",
    "max_size": "encode.max_size",
    "shading": "capture.shading",
    "overlays": "capture.overlays",
    "hud": "capture.hud",
    "open_days": "client_review.open_days",
    "client_downloads": "client_review.downloads",
    "client_watermark": "client_review.watermark",
    "camera_rule": "capture.camera",
    "frame_rule": "capture.frame_range",
    "handles": "capture.handles",
    "quality": "encode.quality",
    "sound": "encode.sound",
    "asset_name_template": "naming.asset",
}


def _plugins_with_former_fields(fields: Mapping[str, Any]) -> Dict[str, Dict[str, Any]]:
    """``fields``' plugins section with its former fields given to the plugins that own them
    now (``check_severity``: validator -> severity); the section's own values win."""
    plugins = {name: dict(values) for name, values in (fields.get("plugins") or {}).items()}
    owned = [
        (PLUGIN_KEYS[key], fields[old])
        for old, key in FORMER_FIELDS.items()
        if fields.get(old) is not None
    ]
    owned += [
        ((plugin, "severity"), value)
        for plugin, value in (fields.get("check_severity") or {}).items()
    ]
    for (plugin, attribute), value in owned:
        plugins.setdefault(plugin, {}).setdefault(attribute, value)
    return plugins


def size_of(value: object) -> Optional[Tuple[int, int]]:
    """A size as the settings give it (``"WxH"``) or as an older client's settings held it
    (``[w, h]``); None: none."""
    if isinstance(value, str) and value:
        width, height = value.lower().split("x")
        return int(width), int(height)
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return int(value[0]), int(value[1])
    return None


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class StudioSettings:
    """What the settings give the publish's plugins."""

    #: what each plugin receives as class attributes (ft_dcc.settings.plugins): the keys it
    #: owns (ft_dcc.settings.keys.PLUGIN_KEYS: checks.* as a validator's ``severity``, ...) and the
    #: ``plugins`` section: plugin class -> attribute -> value
    plugins: Dict[str, Dict[str, Any]] = attr.Factory(dict)

    @classmethod
    def of(cls, fields: Union[StudioSettings, Mapping[str, Any], None]) -> StudioSettings:
        """Typed from the resolved fields (``SettingsFields``) or :meth:`to_dict`'s JSON
        (unknown keys are ignored: a newer client's; an older client's former fields are given
        to the plugins that own them now, :data:`FORMER_FIELDS`)."""
        if isinstance(fields, StudioSettings):
            return fields
        known = dict(fields or {})
        if known.keys() & {*FORMER_FIELDS, "check_severity"}:
            known["plugins"] = _plugins_with_former_fields(known)
        names = {field.name for field in attr.fields(cls)}
        return cls(**{key: value for key, value in known.items() if key in names})

    def to_dict(self) -> JsonObject:
        data: JsonObject = attr.asdict(self, recurse=True)
        return data

    def owned(self, key: str) -> Any:
        """The value of the settings key ``key`` as the plugin that owns it receives it
        (``PLUGIN_KEYS``; None: the plugin's own default), for code outside the pipeline."""
        plugin, attribute = PLUGIN_KEYS[key]
        return self.plugins.get(plugin, {}).get(attribute)

    @property
    def resolution(self) -> Optional[Tuple[int, int]]:
        """``capture.resolution`` (``CollectCaptureSpec``'s), read as the field it was."""
        return size_of(self.owned("capture.resolution"))

    @property
    def scale(self) -> Optional[float]:
        """``capture.scale`` (``CollectCaptureSpec``'s; None: its default), as it was read."""
        value = self.owned("capture.scale")
        return None if value is None else float(value)

    @property
    def max_size(self) -> Optional[Tuple[int, int]]:
        """``encode.max_size`` (``CollectCaptureSpec``'s), read as the field it was."""
        return size_of(self.owned("encode.max_size"))

"""Settings written before a plugin received the keys it owns (an offline journal queued by an
older ft_dcc, a library caller's ``settings={...}``) still reach those plugins: the former
fields (``check_severity``, ``look``, ``still_alpha``, ``thumbnail_rule``,
``review_session_template``, the capture's size and look, the client review rules) are read as
the keys their plugins now own, never dropped."""

from __future__ import annotations

from ft_dcc.publish.request.studio_settings import StudioSettings
from ft_dcc.publish.request.wire import request_from_json, request_to_json

#: ``StudioSettings.to_dict()`` as the ft_dcc before the change wrote it (the journal's form)
OLDER = {
    "asset_name_template": None,
    "name_fields": {},
    "check_severity": {"ValidateSceneSaved": "warn", "ValidateFrameRange": "off"},
    "plugins": {"ValidateFrameRange": {"severity": "block"}},
    "still_alpha": "flatten",
    "look": "shot_grade",
    "thumbnail_rule": "first",
    "review_session_template": "Layout {date}",
    "quality": 20,
}


def test_an_older_clients_settings_reach_the_plugins_that_own_them_now() -> None:
    plugins = StudioSettings.of(OLDER).plugins
    assert plugins["ValidateSceneSaved"] == {"severity": "warn"}
    assert plugins["ValidateFrameRange"] == {"severity": "block"}  # the newer section wins
    assert plugins["ExtractReviewImage"] == {"still_alpha": "flatten"}
    assert plugins["ValidateColour"] == {"look": "shot_grade"}
    assert plugins["ValidateThumbnailFrame"] == {"rule": "first"}
    assert plugins["ValidateReviewSessionOpen"] == {"template": "Layout {date}"}
    assert plugins["CollectCaptureSpec"] == {"quality": 20}


def test_a_queued_request_of_an_older_client_keeps_them_through_its_journal_form() -> None:
    request = request_from_json({"settings": OLDER})
    assert request.settings.plugins["ValidateSceneSaved"] == {"severity": "warn"}
    assert request.settings.owned("colour.look") == "shot_grade"
    again = request_from_json(request_to_json(request))
    assert again.settings == request.settings


def test_settings_of_today_are_read_as_they_are() -> None:
    plugins = {"ValidateColour": {"look": "x"}, "CollectCaptureSpec": {"quality": 18}}
    today = StudioSettings(plugins=plugins)
    assert StudioSettings.of(today.to_dict()) == today


def test_an_older_clients_review_session_rules_reach_the_integrator() -> None:
    """The rules of a review session the publish creates (``client_review.*``) were fields of
    the settings; they are ``IntegrateReview``'s now, and the commit's manifest carries them."""
    from ft_dcc.publish.plugins.integrate_review import IntegrateReview
    from ft_dcc.settings.plugins import apply

    older = {"open_days": 7, "client_downloads": "proxy", "client_watermark": True}
    settings = request_from_json({"settings": older}).settings
    assert settings.plugins["IntegrateReview"] == {
        "open_days": 7, "downloads": "proxy", "watermark": True,
    }  # fmt: skip
    (given,) = apply([IntegrateReview], settings.plugins)
    assert (given.open_days, given.downloads, given.watermark) == (7, "proxy", True)


def test_an_older_clients_viewport_look_reaches_the_capture_collector() -> None:
    """``capture.shading``/``.overlays``/``.hud`` were fields of the settings; they are
    ``CollectCaptureSpec``'s now, which puts them in the spec the host's capture reads."""
    older = {"shading": "solid", "overlays": True, "hud": True}
    settings = request_from_json({"settings": older}).settings
    assert settings.plugins["CollectCaptureSpec"] == {"shading": "solid", "overlays": True,
                                                     "hud": True}  # fmt: skip


def test_an_older_clients_capture_size_reaches_the_capture_collector() -> None:
    """``capture.resolution``/``.scale`` and ``encode.max_size`` were fields of the settings
    (sizes as lists); they are ``CollectCaptureSpec``'s now, which reads either form."""
    from ft_dcc.publish.rules.capture_rules import SizeRules

    older = {"resolution": [640, 360], "scale": 1.0, "max_size": [320, 180]}
    given = request_from_json({"settings": older}).settings.plugins["CollectCaptureSpec"]
    assert given == {"resolution": [640, 360], "scale": 1.0, "max_size": [320, 180]}
    sizes = SizeRules.of(given["resolution"], given["scale"], given["max_size"])
    assert sizes == SizeRules.of("640x360", 1.0, "320x180")
    assert sizes == SizeRules((640, 360), 1.0, (320, 180))


#: ``PublishRequest.to_dict()["settings"]`` as the ft_dcc before the capture's range, the
#: encode and the naming went to their plugins wrote it (a headless request's, read by the one
#: JSON form: ``request_from_json``)
BEFORE_ONE_CHANNEL = {
    "asset_name_template": "{shot}_{camera}",
    "name_fields": {"project": "p", "sequence": "sq", "shot": "sh010", "task": "anim"},
    "plugins": {"CollectCaptureSpec": {"resolution": "640x360"}},
    "camera_rule": "renderCam",
    "frame_rule": "shot",
    "handles": 4,
    "quality": 20,
    "sound": False,
}


def test_the_range_encode_and_naming_fields_reach_the_plugins_that_own_them_now() -> None:
    """``camera_rule``, ``frame_rule``, ``handles``, ``quality``, ``sound`` and
    ``asset_name_template`` were fields of the settings; they are ``CollectCaptureSpec``'s and
    ``CollectReviewables``' class attributes now, and ``name_fields`` the request's
    ``task_names`` (the task's names, a fact of ftrack)."""
    from ft_dcc.publish.plugins.collect_capture_spec import CollectCaptureSpec
    from ft_dcc.publish.plugins.collect_reviewables import CollectReviewables
    from ft_dcc.publish.rules.capture_rules import review_rules
    from ft_dcc.publish.shared.state import ReviewRules
    from ft_dcc.settings.plugins import apply

    request = request_from_json({"settings": BEFORE_ONE_CHANNEL})
    plugins = request.settings.plugins
    assert plugins["CollectCaptureSpec"] == {
        "resolution": "640x360", "frame_range": "shot", "handles": 4, "quality": 20,
        "sound": False,
    }  # fmt: skip
    assert plugins["CollectReviewables"] == {"asset_name_template": "{shot}_{camera}",
                                            "camera": "renderCam"}  # fmt: skip
    assert request.task_names == BEFORE_ONE_CHANNEL["name_fields"]
    capture, reviewables = apply([CollectCaptureSpec, CollectReviewables], plugins)
    assert review_rules(capture) == ReviewRules(frame_rule="shot", handles=4, quality=20,
                                                sound=False)  # fmt: skip
    assert (reviewables.asset_name_template, reviewables.camera) == ("{shot}_{camera}",
                                                                      "renderCam")  # fmt: skip
    again = request_from_json(request_to_json(request))  # the newer form reads back the same
    assert (again.settings, again.task_names) == (request.settings, request.task_names)

"""Fault-test plugins (on PYBLISHPLUGINPATH): stop the publish at a stage boundary of extract.

``FT_DCC_FAULT_AT=capture`` stops it as capture starts, ``encode`` between capture and encode.
"""

import pyblish.api

from ft_dcc.publish.integrate.commit import fault_point


class StopBeforeCapture(pyblish.api.ContextPlugin):
    label = "fault point: capture"
    order = pyblish.api.ExtractorOrder - 0.01

    def process(self, context):
        fault_point("capture")


class StopBeforeEncode(pyblish.api.ContextPlugin):
    label = "fault point: encode"
    order = pyblish.api.ExtractorOrder + 0.05

    def process(self, context):
        fault_point("encode")

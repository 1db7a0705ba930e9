"""The publish pipeline: host interface, pyblish plugins, offline queue, report."""

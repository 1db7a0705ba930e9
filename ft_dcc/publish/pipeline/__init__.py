"""The pyblish run of one publish: its plugins stage by stage, the repairs asked, pyblish UIs."""

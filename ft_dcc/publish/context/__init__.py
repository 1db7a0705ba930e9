"""Where a publish goes: the task it names, and making the project, sequence, shot and task."""

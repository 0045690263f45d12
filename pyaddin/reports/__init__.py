"""The weekly report: its figures as pandas frames, and the week snapshots that say what changed."""

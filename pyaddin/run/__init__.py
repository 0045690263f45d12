"""What every run shares: the loaded context, the finding, the run's record, and text safe to write."""

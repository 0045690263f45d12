"""beian: marketing-campaign filing (备案) tracker checks for Excel and the command line."""

__version__ = "0.1.0"

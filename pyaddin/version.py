"""The package version, in a module of its own so that records and diagnosis can name it without
importing the package face (which imports the actions lazily and would close a cycle)."""

__version__ = "0.1.0"

"""The command-line door: `beian` and its commands; each command parses, calls one action, presents."""

"""The one error type of the command line, in its own module so every command can raise it
without importing ``course.cli`` (which imports the commands: that would be a cycle)."""


class CliError(Exception):
    """A mistake in how a command was called or what it was given; printed as one line, exit code 2."""

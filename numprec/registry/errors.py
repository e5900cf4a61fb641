"""Exceptions and warnings of the registry."""


class PluginWarning(UserWarning):
    """A plugin failed to load or registered something invalid; it was skipped."""


class UnknownNameError(ValueError, KeyError):
    """A format or rounding name that nobody registered."""

    def __str__(self):  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class DuplicateNameError(ValueError):
    """A name that two plugins (or one plugin twice) registered."""

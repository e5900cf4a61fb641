"""A minimal numprec plugin (see docs/plugins.md)."""

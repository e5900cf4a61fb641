"""Number formats: floating point of any width, fixed point, integers."""
from numprec.formats.base import Format
from numprec.formats.fixed_format import FixedFormat, IntFormat
from numprec.formats.float_format import FloatFormat

_CLASSES = {cls.format_id: cls for cls in (FloatFormat, FixedFormat, IntFormat)}


def register_format_class(cls):
    """Make ``from_config`` know a Format subclass (used by plugins)."""
    if not cls.format_id:
        raise ValueError(f"{cls.__name__}.format_id must be a non-empty string")
    _CLASSES[cls.format_id] = cls
    return cls


def from_config(config: dict) -> Format:
    """Rebuild a format from ``Format.get_config()``."""
    if not isinstance(config, dict) or "id" not in config:
        raise ValueError(f"config must be a dict with an 'id' key, got {config!r}")
    cls = _CLASSES.get(config["id"])
    if cls is None:
        from numprec.registry.manager import get_manager
        get_manager()          # plugins register their classes when loaded
        cls = _CLASSES.get(config["id"])
    if cls is None:
        raise ValueError(f"unknown format id {config['id']!r} in config; known: {sorted(_CLASSES)}")
    return cls.from_config(config)


__all__ = ["Format", "FloatFormat", "FixedFormat", "IntFormat", "from_config",
           "register_format_class"]

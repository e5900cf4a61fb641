"""What numprec-posit provides, read by numprec without importing the plugin.

The entry point ``posit`` (group ``numprec``) names this module; numprec
imports :data:`PLUGIN` only when one of these names is asked for.
"""
#: the module with the hook implementations
PLUGIN = "numprec_posit.plugin"
#: registered names and aliases
FORMATS = ("posit8", "posit8_2", "posit16", "posit16_2", "posit32", "posit32_2")
#: parametric names it parses: "positN", "positN_E"
FORMAT_PREFIXES = ("posit",)
#: format_id of PositFormat, for numprec.from_config
FORMAT_IDS = ("posit",)

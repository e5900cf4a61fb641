"""What numprec-mx provides, read by numprec without importing the plugin.

The entry point ``mx`` (group ``numprec``) names this module; numprec
imports :data:`PLUGIN` only when one of these names is asked for.
"""
#: the module with the hook implementations
PLUGIN = "numprec_mx.plugin"
#: registered names and aliases
FORMATS = ("mxfp8_e4m3", "mxfp8", "mxfp8_e5m2", "mxfp6_e2m3", "mxfp6_e3m2", "mxfp4",
           "mxfp4_e2m1", "mxint8", "nvfp4", "nvfp4_rht16", "bfp4", "bfp8", "bfp16")
#: parametric names it parses (presets with suffixes, "bfpN")
FORMAT_PREFIXES = ("mxfp", "mxint", "nvfp4", "bfp")
#: format_id of BlockScaledFormat, for numprec.from_config
FORMAT_IDS = ("block_scaled",)

"""What numprec-lmul provides, read by numprec without importing the plugin.

The entry point ``lmul`` (group ``numprec``) names this module; numprec
imports :data:`PLUGIN` only when one of these names is asked for.
"""
#: the module with the hook implementations
PLUGIN = "numprec_lmul.plugin"
#: registered arithmetic schemes ("lmulM" for the widths of plugin.REGISTERED_BITS)
ARITHMETICS = ("lmul", "lmul2", "lmul3", "lmul4", "lmul5", "lmul7", "lmul10", "lmul23",
               "lmul_formula")

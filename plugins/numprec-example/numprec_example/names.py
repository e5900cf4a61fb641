"""The names numprec-example provides: numprec reads them without importing
the plugin, and imports PLUGIN when one of them is asked for."""
PLUGIN = "numprec_example.plugin"
FORMATS = ("example12", "ex12")
ROUNDINGS = ("nearest_ties_to_zero",)

# Only what phc boots: the bare-guest "none" machine with the generic
# ELF loader, plus the machine Penguin boots Linux on for this target.
CONFIG_GENERIC_LOADER=y

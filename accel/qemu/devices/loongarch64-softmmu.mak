# Only what phc boots: the bare-guest "none" machine with the generic
# ELF loader, plus what the target code itself needs and the machine
# Penguin boots Linux on.
CONFIG_GENERIC_LOADER=y
CONFIG_LOONGARCH_VIRT=y

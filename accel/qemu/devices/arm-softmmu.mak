# Only what phc boots: the bare-guest "none" machine with the generic
# ELF loader, plus what the target code itself needs and the machine
# Penguin boots Linux on.
CONFIG_GENERIC_LOADER=y
CONFIG_SEMIHOSTING=y
CONFIG_ARM_COMPATIBLE_SEMIHOSTING=y
CONFIG_ARM_VIRT=y
# the ARM target code calls the M-profile NVIC
CONFIG_ARM_V7M=y

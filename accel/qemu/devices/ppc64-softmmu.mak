# Only what phc boots: the bare-guest "none" machine with the generic
# ELF loader, plus what the target code itself needs and the machine
# Penguin boots Linux on.
CONFIG_GENERIC_LOADER=y
CONFIG_PSERIES=y
# pseries calls the USB bus code (it adds a USB keyboard when it has a VGA,
# which -vga none leaves out)
CONFIG_USB=y
# pseries registers spapr-nvdimm, whose parent type is nvdimm
CONFIG_NVDIMM=y

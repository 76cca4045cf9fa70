/*
 * A sentinel-free loop for QEMU (bench/qemu/speed.sh): LOOPS iterations of
 * plain ALU work, then UHI semihosting exit(0) (sdbbp 1 with t9 = 1), which
 * stock and patched QEMU both honour with -semihosting, so the same binary
 * times both.
 */
    .set noreorder
    .text
    .globl _start
_start:
    li $8, LOOPS
    move $9, $0
1:  addiu $9, $9, 3
    xor $10, $9, $8
    addiu $8, $8, -1
    bnez $8, 1b
    nop
    li $25, 1          /* UHI exit */
    move $4, $0
    sdbbp 1
2:  b 2b
    nop

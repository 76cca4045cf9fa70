# x86_64 guest memory seen by handlers, by virtual address. Needs 32 MiB of
# RAM and the test's poke handler; exits 0 or with the failing step.
        .set CONSOLE, 0x70480001
        .set EXIT, 0x70480000
        .set POKE, 0x4b564d02           # the test's handler: write "KVM!" at a0, a1 bytes
        .set RAM_END, 0x2000000
        .set PD, 0x4000                 # the VMM's page directory for the first GiB
        .set ALIAS, 0x1200000           # 2 MiB page 9, remapped by this guest

        .macro  call2 nr, a0, a1, step
        movl    $\step, step
        mov     $\nr, %eax
        mov     $\a0, %rdi
        mov     $\a1, %rsi
        outl    %eax, $0x88
        .endm
        .macro  expect value
        cmp     $\value, %rax
        jne     fail
        .endm

        .globl _start
        .text
_start:
        lea     stack_top(%rip), %rsp
        call2   CONSOLE, msg, msg_len, 1
        expect  msg_len
        call2   CONSOLE, msg, 4097, 2           # longer than the console takes
        expect  -22
        call2   CONSOLE, RAM_END-4, 8, 3      # runs off the end of RAM
        expect  -14
        call2   CONSOLE, 0x80000000, 4, 4       # no page table maps it
        expect  -14
        call2   CONSOLE, cross, cross_len, 5    # spans two pages
        expect  cross_len
        call2   POKE, poke_buf, 4, 6
        expect  0
        cmpl    $0x214d564b, poke_buf           # "KVM!"
        jne     fail
        movw    $0xabab, RAM_END - 2            # a write that would leave RAM changes nothing
        call2   POKE, RAM_END-2, 4, 7
        expect  -14
        cmpw    $0xabab, RAM_END - 2
        jne     fail

        movq    $0x83, PD + 9 * 8               # ALIAS -> guest physical 0: present, write, 2 MiB
        invlpg  ALIAS
        call2   CONSOLE, ALIAS+remapped, remapped_len, 8
        expect  remapped_len
        movq    $0, PD + 9 * 8                  # not present, though RAM is there
        invlpg  ALIAS
        call2   CONSOLE, ALIAS+remapped, remapped_len, 9
        expect  -14

        call2   EXIT, 0, 0, 0
fail:
        mov     $EXIT, %eax
        mov     step, %edi
        outl    %eax, $0x88
        hlt

        .data
step:   .long 0
msg:    .ascii "mem: x86_64\n"
        .set msg_len, . - msg
remapped: .ascii "remapped\n"
        .set remapped_len, . - remapped
poke_buf: .long 0
        .balign 4096
        .space 4096 - 6
cross:  .ascii "cross-page\n"
        .set cross_len, . - cross
        .bss
        .balign 16
        .space 4096
stack_top:

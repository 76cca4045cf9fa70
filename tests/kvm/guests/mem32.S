# i386 (paging off) guest memory seen by handlers. Needs 32 MiB of RAM and
# the test's poke handler; exits 0 or with the failing step.
        .set CONSOLE, 0x70480001
        .set EXIT, 0x70480000
        .set POKE, 0x4b564d02           # the test's handler: write "KVM!" at a0, a1 bytes
        .set RAM_END, 0x2000000

        .macro  call2 nr, a0, a1, step
        movl    $\step, step
        mov     $\nr, %eax
        mov     $\a0, %ebx
        mov     $\a1, %ecx
        outl    %eax, $0x88
        .endm
        .macro  expect value
        cmp     $\value, %eax
        jne     fail
        .endm

        .globl _start
        .text
_start:
        mov     $stack_top, %esp
        call2   CONSOLE, msg, msg_len, 1
        expect  msg_len
        call2   CONSOLE, msg, 4097, 2           # longer than the console takes
        expect  -22
        call2   CONSOLE, RAM_END-4, 8, 3      # runs off the end of RAM
        expect  -14
        call2   CONSOLE, 0x80000000, 4, 4       # no RAM there
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
        call2   EXIT, 0, 0, 0
fail:
        mov     $EXIT, %eax
        mov     step, %ebx
        outl    %eax, $0x88
        hlt

        .data
step:   .long 0
msg:    .ascii "mem: i386\n"
        .set msg_len, . - msg
poke_buf: .long 0
        .balign 4096
        .space 4096 - 6
cross:  .ascii "cross-page\n"
        .set cross_len, . - cross
        .bss
        .balign 16
        .space 4096
stack_top:

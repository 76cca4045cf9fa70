# Every vCPU (index in RDI at entry) makes CALLS hypercalls whose arguments
# name it; the last one to finish exits 0. NCPUS comes from --defsym.
        .set EXIT, 0x70480000
        .set COUNT_NR, 0x4b564d10
        .set CALLS, 2000
        .set MAX_CPUS, 8

        .globl _start
        .text
_start:
        mov     %rdi, %r15                      # this vCPU's index
        cmp     $MAX_CPUS, %r15
        jae     bad
        lea     stacks(%rip), %rsp
        lea     1(%r15), %rax
        shl     $12, %rax
        add     %rax, %rsp
        mov     $1, %eax                        # CPUID agrees on who we are
        cpuid
        shr     $24, %ebx
        cmp     %r15d, %ebx
        jne     bad

        xor     %r14d, %r14d
1:      mov     $COUNT_NR, %eax
        mov     %r15, %rdi                      # a0: vCPU index
        mov     %r14, %rsi                      # a1: call number on this vCPU
        mov     %r15, %rdx                      # a2: index << 32 | call number
        shl     $32, %rdx
        or      %r14, %rdx
        mov     $0x5a5a, %r10d                  # a3: 0x5a5a ^ index
        xor     %r15, %r10
        outl    %eax, $0x88
        inc     %r14
        cmp     $CALLS, %r14
        jne     1b

        lock incl finished(%rip)
        cmpl    $NCPUS, finished(%rip)
        jne     park
        mov     $EXIT, %eax
        xor     %edi, %edi
        outl    %eax, $0x88
park:   cli
        hlt
        jmp     park
bad:    mov     $EXIT, %eax
        mov     $99, %edi
        outl    %eax, $0x88
        hlt

        .data
finished: .long 0
        .bss
        .balign 4096
stacks: .space 4096 * MAX_CPUS

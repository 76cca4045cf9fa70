# Hypercalls and near misses at page boundaries, for 32- or 64-bit code. The
# exit path reads code on both sides of RIP in one go: these make that read
# cross into the next page, or start on the page before RIP's.
        .set    NEAR, 0x4e454152        # EAX at every near miss (kvm-test.c)
        .globl  _start
        .text
_start:
        mov     $1, %ebp                # the failing step, the exit status
        mov     $0xcafebabe, %eax
        jmp     imm8_across

        .org    0xfff
imm8_across:                            # E7 a page's last byte, port 88 the next page's first
        outl    %eax, $0x88
        cmp     $13, %eax
        jne     fail
        mov     $2, %ebp
        mov     $NEAR, %eax
        mov     $0x88, %edx
        mov     $word, %esi
        mov     $1, %ecx
        jmp     outs_across

        .org    0x1fff
outs_across:                            # F3 a page's last byte, 6F the next page's first
        rep outsl
        mov     $3, %ebp
        mov     $0xcafebabe, %eax
        jmp     dx_last

        .org    0x2fff
dx_last:                                # EF a page's last byte: RIP after it is on the next page
        outl    %eax, %dx
        cmp     $13, %eax
        jne     fail
        mov     $4, %ebp
        mov     $NEAR, %eax
        mov     $word, %esi
        mov     $1, %ecx
        jmp     outs_first

        .org    0x4000
outs_first:                             # F3 6F a page's first bytes: the page before holds RIP - 2
        rep outsl
        xor     %ebp, %ebp
fail:
        mov     $0x70480000, %eax
        mov     %ebp, %edi              # a0 in x86_64
        mov     %ebp, %ebx              # a0 in i386
        outl    %eax, $0x88
        hlt

        .data
word:   .long   NEAR

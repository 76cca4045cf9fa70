# An x86_64 image whose second call comes from 32-bit compatibility mode:
# the ABI follows the code segment at the call, not the image. Uses the
# KVM frontend's GDT (selector 0x18: 32-bit code, 0x08: 64-bit code).
        .set EXIT, 0x70480000
        .globl _start
        .text
        .code64
_start:
        lea     stack_top(%rip), %rsp
        mov     $0xcafebabe, %eax               # from 64-bit code: a0 is RDI
        mov     $0x61, %edi
        outl    %eax, $0x88
        cmp     $13, %rax
        jne     fail64
        ljmpl   *to_compat(%rip)
        .code32
compat:
        mov     $0xcafebabe, %eax               # from 32-bit code: a0 is EBX, a1 ECX
        mov     $0x31, %ebx
        mov     $0x32, %ecx
        outl    %eax, $0x88
        cmp     $13, %eax
        jne     fail32
        ljmp    $0x08, $back
fail32: mov     $EXIT, %eax
        mov     $2, %ebx
        outl    %eax, $0x88
        hlt
        .code64
back:
        mov     $EXIT, %eax
        xor     %edi, %edi
        outl    %eax, $0x88
fail64: mov     $EXIT, %eax
        mov     $1, %edi
        outl    %eax, $0x88
        hlt

        .data
to_compat: .long compat
        .word   0x18
        .bss
        .balign 16
        .space  4096
stack_top:

/*
 * <phc/guest.h> in an ordinary Linux program (hosted, with libc): on x86
 * the process first asks for the hypercall port.
 */
#include <stdio.h>
#include <phc/guest.h>

int main(void)
{
#if defined(__x86_64__) || defined(__i386__)
    if (phc_hypercall_allow_port() != 0) {
        perror("ioperm");
        return 1;
    }
#endif
    unsigned long answer = phc_hypercall(PHC_NR_TEST, 1, 2, 3, 4, 5, 6);
    printf("answer %lu\n", answer);
    return answer == PHC_TEST_ANSWER ? 0 : 1;
}

// sxl-guest-tool: bootstrap-lookup
/*
 * Looks up a Mach service in the bootstrap namespace, as an app's NSXPCConnection to a network
 * extension's NEMachServiceName does first. Run as root so that the system domain is searched.
 * Built on the guest by the harness:
 *   cc -O2 -Wall -o sxl-bootstrap-lookup sxl-bootstrap-lookup.c
 * Output (harness/macos/guest-tools.ts reads it):
 *   ok <service-name> port=0x<hex>                                   exit 0
 *   bootstrap_look_up <service-name>: <kr> (<bootstrap_strerror>)    on stderr, exit 1
 *   usage: sxl-bootstrap-lookup SERVICE                              on stderr, exit 64
 */
#include <mach/mach.h>
#include <servers/bootstrap.h>
#include <stdio.h>

int main(int argc, char *argv[]) {
    if (argc != 2 || argv[1][0] == '\0') {
        fprintf(stderr, "usage: sxl-bootstrap-lookup SERVICE\n");
        return 64;
    }
    const char *name = argv[1];
    mach_port_t port = MACH_PORT_NULL;
    kern_return_t kr = bootstrap_look_up(bootstrap_port, name, &port);
    if (kr != KERN_SUCCESS) {
        fprintf(stderr, "bootstrap_look_up %s: %d (%s)\n", name, kr, bootstrap_strerror(kr));
        return 1;
    }
    printf("ok %s port=0x%x\n", name, (unsigned int)port);
    /* The send right is ours; give it back before exiting. */
    mach_port_deallocate(mach_task_self(), port);
    return 0;
}

/* The x86 port bus: a short list of port ranges, looked up per access. */
#include <glib.h>
#include <stdatomic.h>
#include "portbus.h"
#include "serial.h"

struct phc_portbus {
    GArray *devs; /* phc_port_device, few enough that a scan beats a tree */
    phc_serial *serial;
    _Atomic uint64_t dropped;
};

phc_portbus *phc_portbus_new(FILE *console)
{
    phc_portbus *bus = g_new0(phc_portbus, 1);
    bus->devs = g_array_new(FALSE, FALSE, sizeof(phc_port_device));
    bus->serial = phc_serial_new(console);
    phc_portbus_add(bus, phc_serial_device(bus->serial));
    return bus;
}

void phc_portbus_free(phc_portbus *bus)
{
    if (!bus)
        return;
    phc_serial_free(bus->serial);
    g_array_free(bus->devs, TRUE);
    g_free(bus);
}

bool phc_portbus_add(phc_portbus *bus, const phc_port_device *dev)
{
    for (guint i = 0; i < bus->devs->len; i++) {
        const phc_port_device *d = &g_array_index(bus->devs, phc_port_device, i);
        if (dev->base < d->base + d->len && d->base < dev->base + dev->len)
            return false;
    }
    g_array_append_val(bus->devs, *dev);
    return true;
}

static const phc_port_device *find(phc_portbus *bus, uint16_t port)
{
    for (guint i = 0; i < bus->devs->len; i++) {
        const phc_port_device *d = &g_array_index(bus->devs, phc_port_device, i);
        if (port >= d->base && port - d->base < d->len)
            return d;
    }
    return NULL;
}

uint32_t phc_portbus_in(phc_portbus *bus, uint16_t port, unsigned size)
{
    const phc_port_device *d = find(bus, port);
    uint32_t ones = size >= 4 ? UINT32_MAX : (UINT32_C(1) << (8 * size)) - 1;
    return d && d->read ? d->read(d->opaque, port - d->base, size) & ones : ones;
}

void phc_portbus_out(phc_portbus *bus, uint16_t port, unsigned size, uint32_t value)
{
    const phc_port_device *d = find(bus, port);
    if (d && d->write)
        d->write(d->opaque, port - d->base, size, value);
    else
        atomic_fetch_add(&bus->dropped, 1);
}

uint64_t phc_portbus_dropped(const phc_portbus *bus)
{
    return atomic_load(&((phc_portbus *)bus)->dropped);
}

/*
 * Socket addresses as heartcheck prints them: one helper for every driver.
 */
#ifndef HEARTCHECK_NET_SOCKADDR_H
#define HEARTCHECK_NET_SOCKADDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* The address of a (IPv4 or IPv6) as text in ip and its port; "" and 0
 * for any other family. */
void net_addr_text(const struct sockaddr_storage *a, char *ip, size_t cap,
    uint16_t *port);

#endif

/*
 * Socket address helpers.  See sockaddr.h.
 */
#include "net/sockaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>

void net_addr_text(const struct sockaddr_storage *a, char *ip, size_t cap,
    uint16_t *port)
{
	ip[0] = '\0';
	*port = 0;
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)a;

		inet_ntop(AF_INET6, &s6->sin6_addr, ip, (socklen_t)cap);
		*port = ntohs(s6->sin6_port);
	} else if (a->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)a;

		inet_ntop(AF_INET, &s4->sin_addr, ip, (socklen_t)cap);
		*port = ntohs(s4->sin_port);
	}
}

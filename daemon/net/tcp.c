#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "tcp.h"

/* One address: connect without blocking, so that the wait is bounded. */
static int
try_one(const struct addrinfo *ai, long timeout)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    ai->ai_protocol);
	int soerr = 0, flags;
	socklen_t len = sizeof soerr;

	if (fd < 0)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int rc;

		if (errno != EINPROGRESS)
			goto bad;
		do
			rc = poll(&p, 1, timeout > 0 ? (int)(timeout * 1000) : -1);
		while (rc < 0 && errno == EINTR);
		if (rc <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 ||
		    soerr != 0)
			goto bad;
	}
	/* libetpan's streams expect a blocking socket and poll themselves. */
	if ((flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
		goto bad;
	return fd;
bad:
	close(fd);
	return -1;
}

int
tcp_connect(const char *host, int port, long timeout, char **err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	char service[16];
	int fd = -1, rc;

	snprintf(service, sizeof service, "%d", port);
	if ((rc = getaddrinfo(host, service, &hints, &res)) != 0) {
		*err = xasprintf("%s", gai_strerror(rc));
		return -1;
	}
	for (const struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next)
		fd = try_one(ai, timeout);
	freeaddrinfo(res);
	if (fd < 0)
		*err = xstrdup("refused or unreachable");
	return fd;
}

/* publish.c: one HTTP POST to a pub/sub server on 127.0.0.1, as the benchmarks' peer of a store commit. */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "publish.h"

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t	w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
publish_post(int port, const char *path, const char *body, size_t len,
    char *err, size_t errlen)
{
	struct sockaddr_in	sa;
	char			head[512], reply[2048];
	size_t			got = 0;
	ssize_t			n;
	int			fd, hlen, status = -1, one = 1;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* Head and body leave at once, as a client library sends them. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	hlen = snprintf(head, sizeof head, "POST %s HTTP/1.1\r\nHost: "
	    "127.0.0.1:%d\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n", path, port, len);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == -1 ||
	    write_all(fd, head, (size_t)hlen) == -1 ||
	    write_all(fd, body, len) == -1) {
		snprintf(err, errlen, "POST %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	/* The reply to its end; only its status line is kept. */
	for (;;) {
		n = read(fd, reply + got, sizeof reply - 1 - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if ((got += (size_t)n) == sizeof reply - 1) {
			reply[got] = '\0';
			if (status == -1 && sscanf(reply, "HTTP/1.%*d %d",
			    &status) != 1)
				status = -1;
			got = 0;
		}
	}
	reply[got] = '\0';
	if (status == -1 && sscanf(reply, "HTTP/1.%*d %d", &status) != 1) {
		snprintf(err, errlen, "POST %s: no reply", path);
		status = -1;
	}
	close(fd);
	return status;
}

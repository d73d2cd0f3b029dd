/* partition.c: an LD_PRELOAD shim for tests/repl.sh: a node's processes cut off from the other sites' replication ports while a file exists, as a network split would, the rest of their sockets untouched. */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <netinet/in.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Settings, from the environment:
 *	PARTITION_DIR	a site whose port is P is cut off while the file
 *			PARTITION_DIR/cut-P exists
 *	PARTITION_SELF	this process's site port
 *	PARTITION_PORTS	the group's site ports, separated by commas
 * A TCP socket belongs to the group when its own port or its peer's is
 * one of them: the Replication Manager's connections, in both
 * directions, and no web server's.  While this site is cut off, such a
 * socket's reads and writes fail as after a reset, its connecting is
 * refused, and its listener drops what it accepts; while another is, so
 * are connecting to that site and the connections made to it, as a host
 * gone from the network would have them (the kernel of a cut-off site
 * still completing connections made the master hold its logs for it).
 * The Replication Manager reads and writes with readv and writev only
 * (repmgr_posix.c).
 */

static int	(*real_connect)(int, const struct sockaddr *, socklen_t);
static int	(*real_accept)(int, struct sockaddr *, socklen_t *);
static int	(*real_accept4)(int, struct sockaddr *, socklen_t *, int);
static ssize_t	(*real_readv)(int, const struct iovec *, int);
static ssize_t	(*real_writev)(int, const struct iovec *, int);

static void *
next(const char *name)
{
	void	*f;

	if ((f = dlsym(RTLD_NEXT, name)) == NULL)
		abort();
	return f;
}

/* Whether the site of port is cut off now. */
static int
cut_off(unsigned port)
{
	const char	*dir = getenv("PARTITION_DIR");
	char		 path[4096];
	int		 saved = errno, r;

	if (dir == NULL || port == 0)
		return 0;
	snprintf(path, sizeof path, "%s/cut-%u", dir, port);
	r = access(path, F_OK) == 0;
	errno = saved;
	return r;
}

static unsigned
self_port(void)
{
	const char	*v = getenv("PARTITION_SELF");

	return v != NULL ? (unsigned)strtoul(v, NULL, 10) : 0;
}

/* Whether port is one of the group's. */
static int
group_port(unsigned port)
{
	const char	*p = getenv("PARTITION_PORTS");
	char		*end;
	unsigned long	 v;

	if (p == NULL || port == 0)
		return 0;
	while (*p != '\0') {
		if (*p < '0' || *p > '9') {
			p++;
			continue;
		}
		v = strtoul(p, &end, 10);
		if (v == port)
			return 1;
		p = end;
	}
	return 0;
}

static unsigned
addr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

/*
 * Whether fd is a connection or listener of the group that the cut
 * stops: any of them while this site is cut off, else one made to a
 * site that is.
 */
static int
blocked(int fd)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	unsigned		port;
	int			saved = errno, self, r = 0;

	self = cut_off(self_port());
	len = sizeof ss;
	if (self && getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    group_port(addr_port(&ss)))
		r = 1;
	len = sizeof ss;
	if (!r && getpeername(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    group_port(port = addr_port(&ss)) && (self || cut_off(port)))
		r = 1;
	errno = saved;
	return r;
}

int
connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct sockaddr_storage	ss;
	unsigned		port;

	if (real_connect == NULL)
		real_connect = next("connect");
	memset(&ss, 0, sizeof ss);
	memcpy(&ss, sa, len < sizeof ss ? len : sizeof ss);
	port = addr_port(&ss);
	if (group_port(port) && (cut_off(self_port()) || cut_off(port))) {
		errno = ECONNREFUSED;
		return -1;
	}
	return real_connect(fd, sa, len);
}

/* A connection the listener accepted while cut off: dropped at once. */
static int
accepted(int listener, int fd)
{
	if (fd != -1 && blocked(listener)) {
		close(fd);
		errno = ECONNABORTED;
		return -1;
	}
	return fd;
}

int
accept(int fd, struct sockaddr *sa, socklen_t *len)
{
	if (real_accept == NULL)
		real_accept = next("accept");
	return accepted(fd, real_accept(fd, sa, len));
}

int
accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
	if (real_accept4 == NULL)
		real_accept4 = next("accept4");
	return accepted(fd, real_accept4(fd, sa, len, flags));
}

ssize_t
readv(int fd, const struct iovec *iov, int n)
{
	if (real_readv == NULL)
		real_readv = next("readv");
	if (blocked(fd)) {
		errno = ECONNRESET;
		return -1;
	}
	return real_readv(fd, iov, n);
}

ssize_t
writev(int fd, const struct iovec *iov, int n)
{
	if (real_writev == NULL)
		real_writev = next("writev");
	if (blocked(fd)) {
		errno = ECONNRESET;
		return -1;
	}
	return real_writev(fd, iov, n);
}

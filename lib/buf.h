/* buf.h: a growable byte buffer, the way every module builds output. */
#ifndef BACKSTREAM_BUF_H
#define BACKSTREAM_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;	/* owned; NULL until the first append */
	size_t	 len;	/* bytes in use */
	size_t	 cap;	/* bytes allocated */
};

#define BUF_INIT { NULL, 0, 0 }

/* Releases the memory; the buffer may be reused afterwards. NULL is fine. */
void	 buf_free(struct buf *b);
/* Empties the buffer but keeps its memory for reuse. */
void	 buf_reset(struct buf *b);
/* Makes room for at least n more bytes; returns where they would go. */
char	*buf_reserve(struct buf *b, size_t n);
void	 buf_add(struct buf *b, const void *p, size_t n);
void	 buf_adds(struct buf *b, const char *s);
void	 buf_addc(struct buf *b, char c);
void	 buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));
/* Returns the contents as a NUL-terminated string owned by the buffer. */
const char *buf_str(struct buf *b);
/* Hands the contents (NUL-terminated) to the caller, who frees them. */
char	*buf_detach(struct buf *b);

#endif

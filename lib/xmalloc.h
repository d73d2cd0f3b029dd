/* xmalloc.h: allocation that cannot fail; running out of memory ends the process. */
#ifndef BACKSTREAM_XMALLOC_H
#define BACKSTREAM_XMALLOC_H

#include <stddef.h>

/*
 * Each of these returns memory the caller owns and frees with free(3).  On
 * allocation failure they log and abort, so callers never check for NULL:
 * the error paths left in the code are about real errors.
 */
void	*xmalloc(size_t size);
void	*xcalloc(size_t nmemb, size_t size);
/* Resizes ptr (NULL allowed) to nmemb * size bytes, checking the product. */
void	*xreallocarray(void *ptr, size_t nmemb, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);
/* Formats into a new string; returns its length. */
int	 xasprintf(char **ret, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif

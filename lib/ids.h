/* ids.h: job and backtest ids (random UUIDs) and the check that a path's id is one. */
#ifndef BACKSTREAM_IDS_H
#define BACKSTREAM_IDS_H

#define ID_LEN	36	/* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" */

/* Writes a new random (version 4) UUID and a NUL into out (ID_LEN + 1 bytes). */
void	id_new(char *out);
/* Whether s is a UUID in lowercase canonical form (what id_new makes). */
int	id_is_valid(const char *s);

#endif

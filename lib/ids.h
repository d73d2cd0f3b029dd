/* ids.h: job and backtest ids (random UUIDs), the check that a path's id is one, id limits. */
#ifndef BACKSTREAM_IDS_H
#define BACKSTREAM_IDS_H

/* The longest ids the store keeps (what its records and keys allow). */
#define UID_MAX		128	/* a Firebase uid (the token's sub) */
#define ID_MAX		40	/* job and backtest ids, symbols */

#define ID_LEN	36	/* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" */

/* Writes a new random (version 4) UUID and a NUL into out (ID_LEN + 1 bytes). */
void	id_new(char *out);
/* Whether s is a UUID in lowercase canonical form (what id_new makes). */
int	id_is_valid(const char *s);

#endif

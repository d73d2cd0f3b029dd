/* conf-docs.c: prints lib/conf.c's key table as roff (for backstream.conf(5)) or as a commented sample file; a build-time helper, never installed. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

/*
 * Writes one line of the man page.  Help text is prose, so a wrapped line
 * that happens to begin with "." or "'" would be read as a roff request:
 * "\&" in front keeps it text.  conf_write_docs' own requests (".TP") pass.
 */
static void
emit_man(const char *line, void *arg)
{
	FILE	*f = arg;

	if ((line[0] == '.' || line[0] == '\'') && strcmp(line, ".TP") != 0)
		fputs("\\&", f);
	fputs(line, f);
	fputc('\n', f);
}

static void
emit_conf(const char *line, void *arg)
{
	FILE	*f = arg;

	fputs(line, f);
	fputc('\n', f);
}

int
main(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "man") != 0 &&
	    strcmp(argv[1], "conf") != 0)) {
		fprintf(stderr, "usage: conf-docs man | conf\n");
		return 2;
	}
	if (strcmp(argv[1], "man") == 0)
		conf_write_docs("man", emit_man, stdout);
	else
		conf_write_docs("conf", emit_conf, stdout);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		perror("conf-docs: writing the output");
		return 1;
	}
	return 0;
}

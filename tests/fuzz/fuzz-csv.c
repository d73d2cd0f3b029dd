/* fuzz-csv.c: fuzz target for the bars CSV reader (lib/csv.c: csv_read_mem, and csv_read_stream on the same bytes). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "bar.h"
#include "csv.h"
#include "fuzz.h"

#define NAME	"fuzz.csv"

/* What a successful read promises: bars sane, strictly ascending. */
static void
check_bars(const struct csv_bars *out)
{
	const char	*why;
	size_t		 i;

	FUZZ_CHECK(out->n > 0 && out->bars != NULL);
	for (i = 0; i < out->n; i++) {
		FUZZ_CHECK(bar_is_sane(&out->bars[i], &why) == 0);
		if (i > 0)
			FUZZ_CHECK(out->bars[i - 1].time < out->bars[i].time);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_bars	 mem, stream;
	char		 err_mem[512], err_stream[512];
	FILE		*f;
	int		 r_mem, r_stream;

	r_mem = csv_read_mem((const char *)data, size, NAME, &mem, err_mem,
	    sizeof err_mem);
	if (r_mem == 0)
		check_bars(&mem);
	else {
		FUZZ_CHECK(mem.bars == NULL && mem.n == 0);
		FUZZ_CHECK(strncmp(err_mem, NAME ":", strlen(NAME ":")) == 0);
	}

	/*
	 * The stream reader must come to the same answer on the same bytes:
	 * the importer reads files and pipes with it.
	 */
	if (size > 0 && (f = fmemopen((void *)(uintptr_t)data, size, "r")) !=
	    NULL) {
		r_stream = csv_read_stream(f, NAME, &stream, NULL, NULL,
		    err_stream, sizeof err_stream);
		fclose(f);
		FUZZ_CHECK(r_stream == r_mem);
		if (r_mem == 0) {
			FUZZ_CHECK(stream.n == mem.n);
			FUZZ_CHECK(memcmp(stream.bars, mem.bars,
			    mem.n * sizeof *mem.bars) == 0);
		} else if (strcmp(err_stream, err_mem) != 0) {
			fprintf(stderr, "csv_read_mem:    %s\n"
			    "csv_read_stream: %s\n", err_mem, err_stream);
			FUZZ_CHECK(!"the two readers give the same reason");
		}
		csv_bars_free(&stream);
	}
	csv_bars_free(&mem);
	return 0;
}

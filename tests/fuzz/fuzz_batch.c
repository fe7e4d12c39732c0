/* Fuzz target: the batch file reader (mp_cli_batch_read), from bytes in
 * memory. Invariants: every problem has a line inside the file and a
 * message; every row has a line inside the file, after the header row, in
 * increasing order, with a valid unicast address or none, a name the
 * keyring takes, distinct UUIDs and addresses; the extra columns are as
 * many for every row and carry the same names; a file with problems read
 * again gives the same result (nothing depends on leftovers). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/batchfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned int lines_in(const uint8_t *data, size_t size)
{
	unsigned int n = 1;
	size_t i;

	for (i = 0; i < size; i++)
		if (data[i] == '\n' || (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n')))
			n++;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mp_cli_batch b, again;
	unsigned int lines = lines_in(data, size), prev = 0;
	struct mp_cli_batch_entry *v = NULL;
	char *errors = NULL;
	size_t i, j;
	int r;

	if (mp_cli_batch_read((const char *)data, size, &b) < 0) {
		mp_cli_batch_clear(&b);
		return 0;
	}
	if (b.sep != ' ' && b.sep != '\t' && b.sep != ';' && b.sep != ',' && b.sep != '|')
		abort();
	if (!b.nbad && !b.n)
		abort();	/* an empty file is a problem */
	for (i = 0; i < b.nbad; i++)
		if (!b.bad[i].line || b.bad[i].line > lines || !b.bad[i].text[0])
			abort();
	for (i = 0; i < b.n; i++) {
		const struct mp_cli_batch_entry *e = &b.v[i];

		if (e->line <= prev || e->line > lines || e->line <= b.header_line)
			abort();
		prev = e->line;
		if (e->address > 0x7fff || (e->name[0] && !mp_cli_name_ok(e->name)))
			abort();
		if (e->static_len != 0 && e->static_len != 16 && e->static_len != 32)
			abort();
		if (e->ncolumns != b.v[0].ncolumns || (e->ncolumns && !e->columns))
			abort();
		for (j = 0; j < e->ncolumns; j++)
			if (strcmp(e->columns[j].name, b.v[0].columns[j].name) ||
			    strlen(e->columns[j].value) > MP_CLI_BATCH_VALUE_MAX)
				abort();
		for (j = 0; j < i; j++)
			if (!memcmp(b.v[j].uuid, e->uuid, 16) ||
			    (e->address && b.v[j].address == e->address))
				abort();
	}
	if (mp_cli_batch_read((const char *)data, size, &again) == 0 &&
	    (again.n != b.n || again.nbad != b.nbad))
		abort();
	mp_cli_batch_clear(&again);
	/* the all-or-nothing form agrees */
	r = mp_cli_batch_parse((const char *)data, size, &v, &errors);
	if (r != -ENOMEM && (b.nbad ? (r != -EINVAL || v || !errors) :
			     (r != (int)b.n || !v || errors)))
		abort();
	if (r > 0)
		mp_cli_batch_free(v, (size_t)r);
	free(errors);
	mp_cli_batch_clear(&b);
	return 0;
}

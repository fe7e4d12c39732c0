/* cli/batchfile: batch files as spreadsheet programs write them. The files
 * of tests/integration/batch/ are samples in the bytes Excel and LibreOffice
 * write (a BOM, CRLF or CR, ';', tabs, quoting, header rows in any order);
 * the real binary runs the same files in tests/integration/cli.sh. */
#include "testutil.h"

#include <errno.h>
#include <string.h>

#include "cli/batchfile.h"

#ifndef MP_BATCH_SAMPLES
#error "MP_BATCH_SAMPLES must name tests/integration/batch"
#endif

static const char *const U[4] = {
	"48f165d5-7b00-47f4-b81e-f86f5c8cc1ab", "017f9ee6-725e-409d-ba05-62d56abd685a",
	"b6043106-a85f-48b6-9aa8-b2a668d605d4", "38f12d92-a28f-47d8-bce4-4e27424458b6",
};

static char text[1 << 16];

static size_t sample(const char *name)
{
	char path[4096];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", MP_BATCH_SAMPLES, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text), f);
	fclose(f);
	return n;
}

static void read_sample(const char *name, struct mp_cli_batch *b)
{
	assert_int_equal(mp_cli_batch_read(text, sample(name), b), 0);
}

static void read_text(const char *s, struct mp_cli_batch *b)
{
	assert_int_equal(mp_cli_batch_read(s, strlen(s), b), 0);
}

/* Each of the four sample devices in file order, by UUID. */
static void assert_uuids(const struct mp_cli_batch *b)
{
	uint8_t u[16];
	int i;

	assert_int_equal(b->n, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(mp_cli_parse_uuid(U[i], u), 0);
		assert_memory_equal(b->v[i].uuid, u, 16);
	}
}

static const char *col(const struct mp_cli_batch_entry *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->ncolumns; i++)
		if (strcmp(e->columns[i].name, name) == 0)
			return e->columns[i].value;
	return NULL;
}

static void assert_problem(const struct mp_cli_batch *b, unsigned int line, const char *what)
{
	size_t i;

	for (i = 0; i < b->nbad; i++)
		if (b->bad[i].line == line && strstr(b->bad[i].text, what))
			return;
	for (i = 0; i < b->nbad; i++)
		print_error("line %u: %s\n", b->bad[i].line, b->bad[i].text);
	fail_msg("no problem '%s' on line %u", what, line);
}

static void test_excel_csv_utf8(void **state)
{
	struct mp_cli_batch b;

	/* a BOM, CRLF, a header row, quoted commas and doubled quotes, a row of
	 * empty cells, a UUID in capitals and one without dashes */
	read_sample("excel-csv-utf8.csv", &b);
	assert_int_equal(b.nbad, 0);
	assert_int_equal(b.sep, ',');
	assert_int_equal(b.header_line, 1);
	assert_uuids(&b);
	assert_string_equal(b.v[0].name, "Hall, north");
	assert_int_equal(b.v[0].auth, MP_AUTH_CHOICE_NONE);
	assert_int_equal(b.v[0].address, 0x100);
	assert_int_equal(b.v[0].line, 2);
	assert_string_equal(b.v[1].name, "Lamp \"A\"");
	assert_int_equal(b.v[1].auth, MP_AUTH_CHOICE_AUTO);
	assert_int_equal(b.v[1].address, 0);
	assert_string_equal(b.v[2].name, "K\xc3\xbc" "che");
	assert_int_equal(b.v[2].address, 0x200);
	assert_int_equal(b.v[3].line, 6);
	assert_string_equal(b.v[3].name, "");
	/* the extra columns, in file order, for every row */
	assert_int_equal(b.v[0].ncolumns, 2);
	assert_string_equal(b.v[0].columns[0].name, "Room");
	assert_string_equal(b.v[0].columns[1].name, "Floor");
	assert_string_equal(col(&b.v[0], "Room"), "B12");
	assert_string_equal(col(&b.v[0], "Floor"), "2");
	assert_string_equal(col(&b.v[2], "Room"), "Kitchen, east");
	assert_string_equal(col(&b.v[3], "Room"), "");
	mp_cli_batch_clear(&b);
}

static void test_libreoffice_semicolons(void **state)
{
	struct mp_cli_batch b;

	/* ';' between fields and plain commas in names, the columns in another
	 * order, a cell with a line break (the row spans two lines), LF */
	read_sample("libreoffice-semicolon.csv", &b);
	assert_int_equal(b.nbad, 0);
	assert_int_equal(b.sep, ';');
	assert_uuids(&b);
	assert_string_equal(b.v[0].name, "Flur, Nord");
	assert_int_equal(b.v[0].address, 0x300);
	assert_string_equal(b.v[1].name, "Lampe; K\xc3\xbc" "che");
	assert_string_equal(col(&b.v[1], "Notes"), "two lines:\nsecond");
	assert_int_equal(b.v[1].line, 3);
	assert_int_equal(b.v[2].line, 5);	/* line numbers count the line break */
	assert_string_equal(b.v[2].name, "");
	assert_int_equal(b.v[3].address, 0x301);
	assert_string_equal(col(&b.v[3], "Notes"), "\"quoted\"");
	assert_string_equal(col(&b.v[3], "Room"), "K1");
	assert_null(col(&b.v[3], "UUID"));	/* the known columns are not extra */
	mp_cli_batch_clear(&b);
}

static void test_tab_delimited(void **state)
{
	struct mp_cli_batch b;

	read_sample("excel-tab-delimited.txt", &b);
	assert_int_equal(b.nbad, 0);
	assert_int_equal(b.sep, '\t');
	assert_uuids(&b);
	assert_string_equal(b.v[0].name, "hall lamp north");
	assert_int_equal(b.v[0].auth, MP_AUTH_CHOICE_NONE);
	assert_string_equal(b.v[1].name, "desk lamp");
	assert_int_equal(b.v[1].auth, MP_AUTH_CHOICE_AUTO);	/* an empty cell */
	assert_string_equal(b.v[2].name, "Lamp \"B\"");
	assert_string_equal(b.v[3].name, "porch light 2");
	assert_string_equal(col(&b.v[0], "Shelf"), "A 1");
	assert_string_equal(col(&b.v[3], "Shelf"), "");
	mp_cli_batch_clear(&b);
}

static void test_mac_and_handwritten(void **state)
{
	struct mp_cli_batch b;

	read_sample("excel-mac.csv", &b);	/* CR alone ends a line */
	assert_int_equal(b.nbad, 0);
	assert_uuids(&b);
	assert_string_equal(b.v[3].name, "mac-4");
	assert_int_equal(b.v[3].line, 5);
	assert_int_equal(b.v[0].ncolumns, 0);
	assert_null(b.v[0].columns);
	mp_cli_batch_clear(&b);

	/* blanks, shell quotes and one CSV row in one file, as before */
	read_sample("handwritten.txt", &b);
	assert_int_equal(b.nbad, 0);
	assert_int_equal(b.header_line, 0);
	assert_uuids(&b);
	assert_string_equal(b.v[0].name, "lamp-1");
	assert_int_equal(b.v[0].address, 0x400);
	assert_string_equal(b.v[1].name, "lamp 2");
	assert_int_equal(b.v[1].auth, MP_AUTH_CHOICE_NONE);
	assert_string_equal(b.v[2].name, "lamp-3");
	assert_int_equal(b.v[2].address, 0x402);
	assert_int_equal(b.v[3].line, 6);
	mp_cli_batch_clear(&b);
}

static void test_every_bad_row_at_once(void **state)
{
	struct mp_cli_batch b;

	read_sample("bad-rows.csv", &b);
	assert_int_equal(b.n, 1);	/* line 2 is good */
	assert_int_equal(b.nbad, 8);
	assert_problem(&b, 3, "'not-a-uuid' is not a device UUID");
	assert_problem(&b, 4, "column 3: '8000' is not a unicast address");
	assert_problem(&b, 5, "column 4: 'blink' is not an authentication");
	assert_problem(&b, 6, "this UUID is already on line 2");
	assert_problem(&b, 7, "address 0x0500 is already on line 2");
	assert_problem(&b, 8, "column 5: a value in a column the header row does not name");
	assert_problem(&b, 9, "column 2: text after the closing quote");
	assert_problem(&b, 10, "unterminated quote (opened on line 10)");
	mp_cli_batch_clear(&b);

	/* what Excel's plain "CSV" and "Unicode Text" write */
	read_sample("bad-excel-ansi.csv", &b);
	assert_int_equal(b.nbad, 1);
	assert_problem(&b, 2, "column 2: the name is not UTF-8 text");
	mp_cli_batch_clear(&b);
	read_sample("bad-excel-unicode-text.txt", &b);
	assert_int_equal(b.nbad, 1);
	assert_problem(&b, 1, "UTF-16");
	assert_int_equal(b.n, 0);
	mp_cli_batch_clear(&b);
}

static void test_headers(void **state)
{
	struct mp_cli_batch b;

	/* the usual spellings, any case */
	read_text("Device UUID,Static OOB,Node Name,Unicast Address\n"
		  "70cf7c9732a345b691494810d2e9cbf4,00112233445566778899aabbccddeeff,a,10\n", &b);
	assert_int_equal(b.nbad, 0);
	assert_int_equal(b.v[0].static_len, 16);
	assert_string_equal(b.v[0].name, "a");
	assert_int_equal(b.v[0].address, 0x10);
	mp_cli_batch_clear(&b);

	read_text("name,address,room\nlamp,0002,B1\n", &b);
	assert_int_equal(b.nbad, 1);
	assert_problem(&b, 1, "names no uuid column");
	mp_cli_batch_clear(&b);

	read_text("uuid,name,NAME,room,Room\n70cf7c9732a345b691494810d2e9cbf4,a,b,c,d\n", &b);
	assert_problem(&b, 1, "column 3: 'NAME' names the name column again (column 2)");
	assert_problem(&b, 1, "column 5: 'Room' names column 4 again");
	assert_int_equal(b.n, 0);	/* the rows are not read without a good header */
	mp_cli_batch_clear(&b);

	/* without a header, a fifth column is refused and says why */
	read_text("70cf7c9732a345b691494810d2e9cbf4,none,a,0010,B12\n", &b);
	assert_problem(&b, 1, "found 5 columns (a header row can name more)");
	mp_cli_batch_clear(&b);
	/* ... but the empty cells a spreadsheet pads rows with are fine */
	read_text("70cf7c9732a345b691494810d2e9cbf4,none,a,0010,,,\n", &b);
	assert_int_equal(b.nbad, 0);
	assert_int_equal(b.n, 1);
	mp_cli_batch_clear(&b);

	/* a header and nothing else */
	read_text("\xef\xbb\xbfuuid;name\r\n;\r\n", &b);
	assert_problem(&b, 2, "no device in the file");
	mp_cli_batch_clear(&b);

	/* hex of digits only that a spreadsheet turned into a number */
	read_text("uuid;auth\n1,23457E+31;-\n70cf7c9732a345b691494810d2e9cbf4;1.12233E+29\n"
		  "70cf7c9732a345b691494810d2e9cbf5;12E\n", &b);
	assert_problem(&b, 2, "not a device UUID (32 hex digits, dashes allowed); the "
		       "spreadsheet took it for a number: format that column as text");
	assert_problem(&b, 3, "took it for a number");
	assert_int_equal(b.nbad, 3);
	assert_null(strstr(b.bad[2].text, "number"));
	mp_cli_batch_clear(&b);

	/* Excel's "sep=" line names the separator */
	read_text("sep=;\nuuid;name\n70cf7c9732a345b691494810d2e9cbf4;a,b\n", &b);
	assert_int_equal(b.nbad, 0);
	assert_int_equal(b.sep, ';');
	assert_string_equal(b.v[0].name, "a,b");
	assert_int_equal(b.v[0].line, 3);
	mp_cli_batch_clear(&b);
}

static void test_separators_and_quotes(void **state)
{
	static const char nul[] = "uuid,name\n70cf7c9732a345b691494810d2e9cbf4,a\0b\n";
	struct mp_cli_batch b;

	/* the most frequent separator of the first line that has one */
	read_text("70cf7c9732a345b691494810d2e9cbf4,-,a;b,0010\n", &b);
	assert_int_equal(b.sep, ',');
	assert_string_equal(b.v[0].name, "a;b");
	mp_cli_batch_clear(&b);
	read_text("# a comment, with commas, is no guide\n"
		  "70cf7c9732a345b691494810d2e9cbf4;-;a, b;0010\n", &b);
	assert_int_equal(b.sep, ';');
	assert_string_equal(b.v[0].name, "a, b");
	mp_cli_batch_clear(&b);
	/* a tab file: one tab between columns, so two mean an empty column */
	read_text("70cf7c9732a345b691494810d2e9cbf4\t\tlamp one\t0010\n", &b);
	assert_int_equal(b.sep, '\t');
	assert_int_equal(b.nbad, 0);
	assert_string_equal(b.v[0].name, "lamp one");
	assert_int_equal(b.v[0].address, 0x10);
	mp_cli_batch_clear(&b);
	/* separators inside quotes, blanks around and inside them */
	read_text("uuid , name\n"
		  "  70cf7c9732a345b691494810d2e9cbf4 ,  \" a, \"\"b\"\" \"  \n", &b);
	assert_int_equal(b.nbad, 0);
	assert_string_equal(b.v[0].name, " a, \"b\" ");
	mp_cli_batch_clear(&b);
	/* a quoted line break in a name is a control character: refused, and
	 * the next row's line number is still right */
	read_text("uuid,name\n70cf7c9732a345b691494810d2e9cbf4,\"a\r\nb\"\n"
		  "70cf7c9732a345b691494810d2e9cbf5,zzz,\n", &b);
	assert_problem(&b, 2, "column 2: a name is 1 to 64 bytes");
	assert_int_equal(b.n, 1);
	assert_int_equal(b.v[0].line, 4);
	mp_cli_batch_clear(&b);
	/* an unterminated quote runs to the end: one problem, where it opened */
	read_text("uuid,name\n70cf7c9732a345b691494810d2e9cbf4,\"a\n"
		  "70cf7c9732a345b691494810d2e9cbf5,b\n", &b);
	assert_int_equal(b.nbad, 1);
	assert_problem(&b, 2, "unterminated quote (opened on line 2)");
	mp_cli_batch_clear(&b);
	/* NUL bytes and too many columns */
	assert_int_equal(mp_cli_batch_read(nul, sizeof(nul) - 1, &b), 0);
	assert_problem(&b, 2, "a NUL byte");
	mp_cli_batch_clear(&b);
	read_text("70cf7c9732a345b691494810d2e9cbf4,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n", &b);
	assert_problem(&b, 1, "more than 32 columns");
	mp_cli_batch_clear(&b);
}

static void test_problems_sorted_and_all_or_nothing(void **state)
{
	static const char one[] = "uuid,x\n70cf7c9732a345b691494810d2e9cbf4,1\n";
	struct mp_cli_batch b;
	struct mp_cli_batch_entry *v;
	struct mp_cli_column *c;
	char *errors;

	read_text("70cf7c9732a345b691494810d2e9cbf4\nzzz\n", &b);
	assert_int_equal(mp_cli_batch_add_problem(&b, 1, "late %s", "news"), 0);
	assert_int_equal(mp_cli_batch_add_problem(&b, 2, "second"), 0);
	mp_cli_batch_sort(&b);
	assert_int_equal(b.nbad, 3);
	assert_int_equal(b.bad[0].line, 1);
	assert_string_equal(b.bad[0].text, "late news");
	assert_int_equal(b.bad[1].line, 2);
	assert_non_null(strstr(b.bad[1].text, "'zzz'"));
	assert_string_equal(b.bad[2].text, "second");	/* stable within a line */
	mp_cli_batch_clear(&b);

	/* the all-or-nothing form keeps the columns; mp_cli_batch_free frees them */
	assert_int_equal(mp_cli_batch_parse(one, sizeof(one) - 1, &v, &errors), 1);
	assert_null(errors);
	assert_int_equal(v[0].ncolumns, 1);
	c = mp_cli_columns_dup(v[0].columns, v[0].ncolumns);
	mp_cli_batch_free(v, 1);
	assert_string_equal(c[0].name, "x");
	assert_string_equal(c[0].value, "1");
	free(c);
	assert_null(mp_cli_columns_dup(NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_excel_csv_utf8),
		cmocka_unit_test(test_libreoffice_semicolons),
		cmocka_unit_test(test_tab_delimited),
		cmocka_unit_test(test_mac_and_handwritten),
		cmocka_unit_test(test_every_bad_row_at_once),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_separators_and_quotes),
		cmocka_unit_test(test_problems_sorted_and_all_or_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

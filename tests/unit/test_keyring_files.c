/* store/keyring: the files beside the keyring (issue #12, "the keyring's
 * neighbours"): temporary files that cannot be planted, the lock file and
 * the directory checked, a FIFO at the keyring's path, backups that would
 * keep an older seal, the copy kept by an import that replaces, export
 * targets that are not regular files. Runs as root in CI; the tests that
 * need another user skip otherwise. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#include "keyring_tu.h"
#include "store/cdb.h"
#include "store/keyring.h"
#include "store/nodes.h"

#define NOBODY 65534


static int setup(void **state)
{
	*state = ktu_fx_new(7);
	assert_non_null(*state);
	return 0;
}

static int teardown(void **state)
{
	struct ktu_fx *f = *state;

	alarm(0);
	chmod(f->dir, 0700);
	ktu_fx_free(f);
	return 0;
}

static struct mp_keyring *open_ok(struct ktu_fx *f)
{
	return ktu_open_ok(f);
}

static const uint8_t devkey[16] = { 0xde, 0xad, 0xbe, 0xef, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
				    15, 16 };
#define DEVKEY_HEX "deadbeef05060708090a0b0c0d0e0f10"

static void add_node(struct mp_keyring *kr, unsigned n)
{
	uint8_t uuid[16];
	uint16_t addr;

	memset(uuid, 0x5a, sizeof(uuid));
	uuid[15] = (uint8_t)n;
	if (mp_keyring_node_add_pending(kr, uuid, 1, devkey, NULL, &addr))
		fail_msg("add %u: %s", n, mp_keyring_error(kr));
}

/* Names in @dir other than those listed (NULL-terminated), or NULL. */
static char *stray_file(const char *dir, const char *const *known)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *found = NULL;

	assert_non_null(d);
	while (!found && (e = readdir(d))) {
		size_t i;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		for (i = 0; known[i] && strcmp(known[i], e->d_name); i++)
			;
		if (!known[i])
			found = strdup(e->d_name);
	}
	closedir(d);
	return found;
}

/* ---- Temporary files ------------------------------------------------------------------------ */

/* Another user who can write the directory plants PATH.tmp and holds it
 * open: the old writer truncated it, wrote every key into it and renamed
 * it into place (the planter then owned the keyring). A save now never
 * opens a file it did not create. The directory here is ours (a directory
 * others can write is refused outright, below), so the planted file
 * stands for anything found under a name the writer could have reused. */
static void test_planted_temp_file_is_not_used(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = open_ok(f);
	char *tmp = ktu_path(f->dir, "keyring.json.tmp"), *data;
	struct stat planted, now;
	int fd;

	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL, 0666);
	assert_true(fd >= 0);
	fchmod(fd, 0666);
	if (geteuid() == 0)
		assert_int_equal(fchown(fd, NOBODY, NOBODY), 0);
	assert_int_equal(fstat(fd, &planted), 0);
	add_node(kr, 1);
	mp_keyring_close(kr);

	/* Nothing was written to it, and the keyring is another file. */
	assert_int_equal(fstat(fd, &now), 0);
	assert_int_equal(now.st_size, 0);
	assert_int_equal(lstat(f->path, &now), 0);
	assert_true(now.st_ino != planted.st_ino);
	assert_int_equal(now.st_uid, geteuid());
	assert_int_equal(now.st_mode & 07777, 0600);
	data = ktu_read(f->path, NULL);
	assert_non_null(strstr(data, DEVKEY_HEX));
	free(data);
	close(fd);
	free(tmp);
}

/* A writer killed mid-save leaves its temporary file (keys, maybe under an
 * older seal): the next open removes it. */
static void test_stale_temp_files_removed(void **state)
{
	static const char *const known[] = { "keyring.json", "keyring.json.bak",
					      "keyring.json.lock", NULL };
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = open_ok(f);
	char *stale = ktu_path(f->dir, "keyring.json.tmp-0123456789ab"), *left;

	add_node(kr, 1);
	mp_keyring_close(kr);
	assert_int_equal(ktu_write(stale, "{}", 2, 0600), 0);
	kr = open_ok(f);
	add_node(kr, 2);
	mp_keyring_close(kr);
	left = stray_file(f->dir, known);
	if (left)
		fail_msg("left behind: %s", left);
	free(stale);
}

/* ---- The directory -------------------------------------------------------------------------- */

static void expect_dir_refused(struct ktu_fx *f, mode_t mode, enum mp_kr_errkind kind,
			       const char *fix)
{
	struct mp_keyring_error err;
	struct mp_keyring *kr = NULL;
	char want[512];

	assert_int_equal(chmod(f->dir, mode), 0);
	assert_int_equal(mp_keyring_open(f->path, &f->o, &kr, &err), -EACCES);
	assert_null(kr);
	assert_int_equal(err.kind, kind);
	snprintf(want, sizeof(want), "%s %s", fix, f->dir);
	if (!strstr(err.msg, want))
		fail_msg("no \"%s\" in: %s", want, err.msg);
}

static void test_directory_others_can_write_refused(void **state)
{
	static const char *const known[] = { "keyring.json", "keyring.json.bak",
					      "keyring.json.lock", NULL };
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = open_ok(f);
	char *before, *after, *left;

	add_node(kr, 1);
	mp_keyring_close(kr);
	before = ktu_read(f->path, NULL);
	expect_dir_refused(f, 0777, MP_KR_E_MODE, "chmod go-w");
	expect_dir_refused(f, 0770, MP_KR_E_MODE, "chmod go-w");
	expect_dir_refused(f, 0702, MP_KR_E_MODE, "chmod go-w");
	/* sticky is not enough for a keyring: the lock and the keyring itself
	 * could be planted before we create them */
	expect_dir_refused(f, 01777, MP_KR_E_MODE, "chmod go-w");
	/* and a new keyring is not created in such a directory either */
	unlink(f->path);
	expect_dir_refused(f, 0777, MP_KR_E_MODE, "chmod go-w");
	assert_int_equal(access(f->path, F_OK), -1);
	assert_int_equal(ktu_write(f->path, before, strlen(before), 0600), 0);
	after = ktu_read(f->path, NULL);
	assert_string_equal(before, after);
	left = stray_file(f->dir, known);
	assert_null(left);
	assert_int_equal(chmod(f->dir, 0755), 0);	/* readable by all is fine */
	kr = open_ok(f);
	mp_keyring_close(kr);
	free(before);
	free(after);
}

static void test_directory_of_another_user_refused(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = open_ok(f);
	struct mp_keyring_error err;

	if (geteuid() != 0)
		skip();
	mp_keyring_close(kr);
	/* root's keyring in a directory nobody owns: refused */
	assert_int_equal(chown(f->dir, NOBODY, NOBODY), 0);
	kr = NULL;
	assert_int_equal(mp_keyring_open(f->path, &f->o, &kr, &err), -EACCES);
	assert_int_equal(err.kind, MP_KR_E_OWNER);
	assert_non_null(strstr(err.msg, f->dir));
	assert_non_null(strstr(err.msg, "65534"));
	/* nobody's keyring there, which root works on for them: accepted */
	assert_int_equal(chown(f->path, NOBODY, NOBODY), 0);
	kr = open_ok(f);
	mp_keyring_close(kr);
}

/* ---- The lock file -------------------------------------------------------------------------- */

static void expect_lock_refused(struct ktu_fx *f, enum mp_kr_errkind kind, const char *word)
{
	struct mp_keyring_error err;
	struct mp_keyring *kr = NULL;
	int r;

	alarm(5);	/* a FIFO must not block the open */
	r = mp_keyring_open(f->path, &f->o, &kr, &err);
	alarm(0);
	if (r == 0)
		fail_msg("a bad lock file was used (%s)", word);
	assert_null(kr);
	assert_int_equal(err.kind, kind);
	assert_non_null(strstr(err.msg, "keyring.json.lock"));
	if (!strstr(err.msg, word))
		fail_msg("no \"%s\" in: %s", word, err.msg);
}

static void test_lock_file_checked(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = open_ok(f);
	char *lock = ktu_path(f->dir, "keyring.json.lock");
	char *other = ktu_path(f->dir, "other");
	struct stat st;

	mp_keyring_close(kr);

	/* mode: made by someone else's umask, or chmod'ed */
	assert_int_equal(chmod(lock, 0644), 0);
	expect_lock_refused(f, MP_KR_E_MODE, "chmod 600");
	assert_int_equal(chmod(lock, 0600), 0);

	/* a second hard link: truncating it would truncate the other file */
	assert_int_equal(ktu_write(other, "precious", 8, 0600), 0);
	assert_int_equal(unlink(lock), 0);
	assert_int_equal(link(other, lock), 0);
	expect_lock_refused(f, MP_KR_E_IO, "hard links");
	assert_int_equal(stat(other, &st), 0);
	assert_int_equal(st.st_size, 8);
	assert_int_equal(unlink(lock), 0);

	/* a FIFO or a directory */
	assert_int_equal(mkfifo(lock, 0600), 0);
	expect_lock_refused(f, MP_KR_E_IO, "not a regular file");
	assert_int_equal(unlink(lock), 0);
	assert_int_equal(mkdir(lock, 0700), 0);
	{
		struct mp_keyring_error err;

		kr = NULL;
		assert_true(mp_keyring_open(f->path, &f->o, &kr, &err) < 0);
		assert_null(kr);
	}
	assert_int_equal(rmdir(lock), 0);

	/* someone else's */
	if (geteuid() == 0) {
		int fd = open(lock, O_RDWR | O_CREAT | O_EXCL, 0600);

		assert_true(fd >= 0);
		assert_int_equal(fchown(fd, NOBODY, NOBODY), 0);
		close(fd);
		expect_lock_refused(f, MP_KR_E_OWNER, "65534");
		assert_int_equal(unlink(lock), 0);
	}
	kr = open_ok(f);
	mp_keyring_close(kr);
	free(lock);
	free(other);
}

/* ---- A FIFO at the keyring's path -------------------------------------------------------------- */

static void test_fifo_at_keyring_path(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring_error err;
	struct mp_keyring *kr = NULL;
	int r;

	assert_int_equal(mkfifo(f->path, 0600), 0);
	/* open() of a FIFO blocks until a writer comes: SIGALRM ends the test
	 * (a failure) if the open waits */
	alarm(5);
	r = mp_keyring_open(f->path, &f->o, &kr, &err);
	alarm(0);
	assert_int_equal(r, -EINVAL);
	assert_null(kr);
	assert_non_null(strstr(err.msg, "FIFO"));
	assert_non_null(strstr(err.msg, f->path));
}

/* ---- Backups and the seal ---------------------------------------------------------------------- */

/* No file in the directory is sealed with @pass, or (@pass NULL) holds
 * the device key in clear. */
static void expect_no_copy_under(struct ktu_fx *f, const uint8_t *pass, size_t plen, const char *why)
{
	DIR *d = opendir(f->dir);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d))) {
		struct mp_keyring_error err;
		struct mp_keyring *kr = NULL;
		char *p, *data;
		size_t len = 0;

		if (e->d_name[0] == '.' || strstr(e->d_name, ".lock"))
			continue;
		p = ktu_path(f->dir, e->d_name);
		data = ktu_read(p, &len);
		if (!data) {
			free(p);
			continue;
		}
		if (!pass && strstr(data, DEVKEY_HEX))
			fail_msg("%s: %s holds the keys in clear", why, e->d_name);
		if (pass && strstr(data, "meshprov-keyring-encrypted") &&
		    mp_keyring_parse(data, len, pass, plen, &kr, &err) == 0) {
			mp_keyring_close(kr);
			fail_msg("%s: %s still opens with the previous seal", why, e->d_name);
		}
		free(data);
		free(p);
	}
	closedir(d);
}

static void test_seal_change_leaves_no_old_copy(void **state)
{
	static const uint8_t p1[] = "first passphrase", p2[] = "second passphrase";
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = open_ok(f);
	char *bak = ktu_path(f->dir, "keyring.json.bak"), *file, *b;
	struct stat st;

	add_node(kr, 1);
	add_node(kr, 2);	/* PATH.bak: the plain keyring with node 1 */
	assert_int_equal(access(bak, F_OK), 0);

	assert_int_equal(mp_keyring_set_passphrase(kr, p1, sizeof(p1) - 1, 10), 0);
	expect_no_copy_under(f, NULL, 0, "after encrypt");
	/* the backup is the new, encrypted file */
	file = ktu_read(f->path, NULL);
	b = ktu_read(bak, NULL);
	assert_non_null(b);
	assert_string_equal(file, b);
	assert_int_equal(lstat(bak, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	free(file);
	free(b);

	add_node(kr, 3);	/* an ordinary save keeps the previous version */
	assert_int_equal(mp_keyring_set_passphrase(kr, p2, sizeof(p2) - 1, 10), 0);
	expect_no_copy_under(f, p1, sizeof(p1) - 1, "after a new passphrase");

	add_node(kr, 4);
	assert_int_equal(mp_keyring_set_passphrase(kr, NULL, 0, 0), 0);
	expect_no_copy_under(f, p2, sizeof(p2) - 1, "after decrypt");
	mp_keyring_close(kr);
	free(bak);
}

/* ---- Import keeps what it replaces ------------------------------------------------------------- */

static char *find_replaced(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *found = NULL;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (!found && !strncmp(e->d_name, "keyring.json.replaced-", 22))
			found = ktu_path(dir, e->d_name);
	closedir(d);
	return found;
}

static void test_import_replace_keeps_a_copy(void **state)
{
	static const uint8_t pass[] = "import passphrase";
	struct ktu_fx *f = *state;
	struct mp_cdb_import_opts io = { .flags = MP_CDB_REPLACE | MP_CDB_ADOPT };
	struct mp_keyring_error err;
	struct mp_keyring *kr, *other, *back = NULL;
	char *json, *before, *kept, *kept_data;
	struct ktu_rng rs2;
	struct mp_rng rng2;
	struct ktu_clock clk2;
	struct mp_keyring_opts o2 = ktu_opts(&rng2, &rs2, &clk2, 99);
	struct stat st;
	size_t len = 0;

	/* the network to import: another keyring's export */
	assert_int_equal(mp_keyring_new(&o2, &other, NULL), 0);
	add_node(other, 9);
	assert_int_equal(mp_cdb_export(other, NULL, &json, &len), 0);
	mp_keyring_close(other);

	f->o.passphrase = pass;
	f->o.passphrase_len = sizeof(pass) - 1;
	kr = open_ok(f);
	add_node(kr, 1);
	add_node(kr, 2);
	before = ktu_read(f->path, NULL);
	assert_int_equal(mp_cdb_import(kr, json, len, &io), 0);
	mp_keyring_close(kr);

	kept = find_replaced(f->dir);
	assert_non_null(kept);
	assert_non_null(strstr(kept, "20231114T221320Z"));	/* the injected clock */
	kept_data = ktu_read(kept, &len);
	assert_string_equal(kept_data, before);	/* as it was: still encrypted */
	assert_int_equal(lstat(kept, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, geteuid());
	assert_int_equal(mp_keyring_parse(kept_data, len, pass, sizeof(pass) - 1, &back, &err), 0);
	assert_int_equal(mp_keyring_node_count(back), 3);
	mp_keyring_close(back);
	free(kept_data);
	free(kept);
	free(before);
	mp_keyring_free_secret(json);
}

/* ---- Export targets ---------------------------------------------------------------------------- */

static void expect_export_refused(struct mp_keyring *kr, const char *path, const char *what)
{
	int r = mp_cdb_export_file(kr, NULL, path);

	if (r != -EINVAL)
		fail_msg("export to %s (%s): %d %s", path, what, r, mp_keyring_error(kr));
	if (!strstr(mp_keyring_error(kr), what))
		fail_msg("no \"%s\" in: %s", what, mp_keyring_error(kr));
}

static void test_export_targets(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = open_ok(f);
	char *fifo = ktu_path(f->dir, "fifo"), *link = ktu_path(f->dir, "stdout");
	char *sub = ktu_path(f->dir, "sub"), *sock = ktu_path(f->dir, "sock");
	char *dev = ktu_path(f->dir, "null"), *plain = ktu_path(f->dir, "cdb.json"), *data;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int s;

	add_node(kr, 1);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	expect_export_refused(kr, fifo, "FIFO");
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));

	/* what /dev/stdout is: a link to /proc/self/fd/1 */
	assert_int_equal(symlink("/proc/self/fd/1", link), 0);
	expect_export_refused(kr, link, "symbolic link");
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));

	assert_int_equal(mkdir(sub, 0700), 0);
	expect_export_refused(kr, sub, "directory");

	s = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(s >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	expect_export_refused(kr, sock, "socket");
	close(s);

	if (mknod(dev, S_IFCHR | 0666, makedev(1, 3)) == 0) {	/* as root: /dev/null */
		expect_export_refused(kr, dev, "character device");
		assert_int_equal(lstat(dev, &st), 0);
		assert_true(S_ISCHR(st.st_mode));
	}

	/* a regular file is replaced, mode 0600; a planted FILE.tmp is not used */
	{
		char *tmp = ktu_path(f->dir, "cdb.json.tmp");
		int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL, 0666);

		assert_true(fd >= 0);
		assert_int_equal(ktu_write(plain, "old", 3, 0644), 0);
		assert_int_equal(mp_cdb_export_file(kr, NULL, plain), 0);
		assert_int_equal(fstat(fd, &st), 0);
		assert_int_equal(st.st_size, 0);
		close(fd);
		free(tmp);
	}
	assert_int_equal(lstat(plain, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	data = ktu_read(plain, NULL);
	assert_non_null(strstr(data, "\"meshUUID\""));
	free(data);

	/* a directory others can write: refused, unless sticky (/tmp) */
	assert_int_equal(chmod(f->dir, 0777), 0);
	assert_int_equal(mp_cdb_export_file(kr, NULL, plain), -EACCES);
	assert_non_null(strstr(mp_keyring_error(kr), "chmod go-w"));
	assert_int_equal(chmod(f->dir, 01777), 0);
	assert_int_equal(mp_cdb_export_file(kr, NULL, plain), 0);
	assert_int_equal(chmod(f->dir, 0700), 0);

	mp_keyring_close(kr);
	free(fifo);
	free(link);
	free(sub);
	free(sock);
	free(dev);
	free(plain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_planted_temp_file_is_not_used, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_temp_files_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_others_can_write_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_directory_of_another_user_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lock_file_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seal_change_leaves_no_old_copy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_import_replace_keeps_a_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_targets, setup, teardown),
		/* last: on a build that blocks there, SIGALRM ends the run */
		cmocka_unit_test_setup_teardown(test_fifo_at_keyring_path, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

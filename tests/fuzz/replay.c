/* Deterministic driver for the fuzz targets, run by `make check`.
 *
 * Each target in tests/fuzz/fuzz_NAME.c defines LLVMFuzzerTestOneInput and is
 * built twice: with clang's libFuzzer by tools/fuzz (coverage-guided,
 * open-ended), and with this main() for the test suite. Here every file of
 * tests/fuzz/corpus/NAME/ is fed to the target as it is, then truncated at
 * every length, then with every single bit flipped in turn (the OpenSSH
 * sshbuf style of deterministic mutation). A crash or a sanitizer report
 * fails the test; the target itself asserts its invariants with abort().
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef FUZZ_NAME
#error "FUZZ_NAME must name the corpus directory"
#endif

static size_t run_one(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	size_t runs = 0, cut, bit;

	if (!copy) {
		perror("malloc");
		exit(99);
	}
	/* Exactly sized heap copies so ASan sees any overread. */
	for (cut = 0; cut <= size; cut++, runs++) {
		memcpy(copy, data, cut);
		LLVMFuzzerTestOneInput(copy, cut);
	}
	for (bit = 0; bit < size * 8; bit++, runs++) {
		memcpy(copy, data, size);
		copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		LLVMFuzzerTestOneInput(copy, size);
	}
	free(copy);
	return runs;
}

int main(void)
{
	char dir[4096], path[8192];
	struct dirent **names;
	size_t files = 0, runs = 0;
	int n, i;

	snprintf(dir, sizeof(dir), "%s/%s", MP_CORPUS_DIR, FUZZ_NAME);
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "fuzz replay %s: cannot read corpus %s\n", FUZZ_NAME, dir);
		return 1;
	}
	for (i = 0; i < n; i++) {
		FILE *f;
		uint8_t buf[65536];
		size_t len;

		if (names[i]->d_name[0] == '.') {
			free(names[i]);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		free(names[i]);
		f = fopen(path, "rb");
		if (!f) {
			perror(path);
			return 1;
		}
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		runs += run_one(buf, len);
		files++;
	}
	free(names);
	if (files == 0) {
		fprintf(stderr, "fuzz replay %s: empty corpus %s\n", FUZZ_NAME, dir);
		return 1;
	}
	printf("fuzz replay %s: %zu corpus files, %zu inputs, no crash\n", FUZZ_NAME, files, runs);
	return 0;
}

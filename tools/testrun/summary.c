/*
 * testrun summary: add up result files.  Prints the failures again (they
 * scroll by during a long make run), then "N passed, M failed".
 */
#include "testrun.h"

#include <stdlib.h>
#include <string.h>

struct tally {
	size_t passed;
	struct strlist failures;
};

static void read_results(struct tally *t, const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;
	unsigned line = 0;

	if (!f) {
		strlist_push(&t->failures, xasprintf("FAIL %s: results missing: %s", path, path));
		return;
	}
	while (getline(&buf, &cap, f) >= 0) {
		line++;
		buf[strcspn(buf, "\r\n")] = '\0';
		if (strncmp(buf, "PASS ", 5) == 0)
			t->passed++;
		else if (strncmp(buf, "FAIL ", 5) == 0)
			strlist_push(&t->failures, xstrdup(buf));
		else if (*buf) /* a result file we did not write: do not trust it */
			strlist_push(&t->failures,
				     xasprintf("FAIL %s:%u: malformed result line: %s", path, line, buf));
	}
	free(buf);
	fclose(f);
}

int cmd_summary(int argc, char **argv)
{
	struct tally t = { 0 };

	if (argc < 2)
		usage_error("summary needs at least one results FILE");
	for (int i = 1; i < argc; i++)
		read_results(&t, argv[i]);
	if (t.failures.n) {
		printf("Failures:\n");
		for (size_t i = 0; i < t.failures.n; i++)
			printf("%s\n", t.failures.v[i]);
	}
	printf("%zu passed, %zu failed\n", t.passed, t.failures.n);
	return t.failures.n == 0 && t.passed > 0 ? 0 : 1;
}

/* testrun: small helpers (memory, strings, files, results, statuses). */
#include "testrun.h"

#include <mica/debug.h>

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		fatal("out of memory");
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		fatal("out of memory");
	return p;
}

char *xstrdup(const char *s)
{
	return strcpy(xmalloc(strlen(s) + 1), s);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
	return s;
}

void strlist_push(struct strlist *l, char *owned)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = owned;
}

bool strlist_has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

char *strlist_join(const struct strlist *l, const char *sep)
{
	size_t len = 1;
	for (size_t i = 0; i < l->n; i++)
		len += strlen(l->v[i]) + strlen(sep);
	char *s = xmalloc(len);
	s[0] = '\0';
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			strcat(s, sep);
		strcat(s, l->v[i]);
	}
	return s;
}

void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* Monotonic, so that timeouts survive wall-clock changes. */
double now_sec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool parse_seconds(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 1e6)
		return false;
	*out = v;
	return true;
}

/* mkdir -p; the Makefile passes paths under build/ that may not exist. */
int mkdir_p(const char *dir)
{
	char *d = xstrdup(dir);
	int rc = 0;
	for (char *p = d + 1; rc == 0; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(d, 0777) < 0 && errno != EEXIST)
			rc = -1;
		*p = c;
		if (c == '\0')
			break;
	}
	free(d);
	return rc;
}

int mkdir_parents(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return 0;
	char *dir = strndup(path, (size_t)(slash - path));
	int rc = mkdir_p(dir);
	free(dir);
	return rc;
}

bool file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* C-style escapes for --send text; NULL on a bad escape. */
char *decode_escapes(const char *s, size_t *len)
{
	char *out = xmalloc(strlen(s) + 1);
	size_t n = 0;
	for (; *s; s++) {
		if (*s != '\\') {
			out[n++] = *s;
			continue;
		}
		s++;
		switch (*s) {
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'e': out[n++] = 0x1b; break;
		case '\\': out[n++] = '\\'; break;
		case 'x':
			if (hexval(s[1]) < 0 || hexval(s[2]) < 0)
				goto bad;
			out[n++] = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 2;
			break;
		default:
			goto bad;
		}
	}
	*len = n;
	return out;
bad:
	free(out);
	return NULL;
}

bool compile_regex(regex_t *re, const char *src, char *err, size_t errlen)
{
	int rc = regcomp(re, src, REG_EXTENDED | REG_NOSUB);
	if (rc == 0)
		return true;
	regerror(rc, re, err, errlen);
	return false;
}

bool regex_matches(const regex_t *re, const char *line)
{
	return regexec(re, line, 0, NULL, 0) == 0;
}

/* Reasons come from console lines: keep each result on one line. */
static char *one_line(const char *s)
{
	char *d = xstrdup(s);
	for (char *p = d; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	return d;
}

char *result_line(bool pass, const char *name, const char *reason)
{
	if (pass)
		return xasprintf("PASS %s", name);
	char *r = one_line(reason && *reason ? reason : "failed");
	char *line = xasprintf("FAIL %s: %s", name, r);
	free(r);
	return line;
}

/* Print at once (the Makefile output is read live), then keep. */
void emit(struct strlist *results, char *line)
{
	printf("%s\n", line);
	fflush(stdout);
	strlist_push(results, line);
}

int count_failures(const struct strlist *results)
{
	int n = 0;
	for (size_t i = 0; i < results->n; i++)
		n += strncmp(results->v[i], "FAIL ", 5) == 0;
	return n;
}

/* Write to a temporary name and rename, so readers never see half a file. */
int write_results(const char *path, const struct strlist *results)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	FILE *f;
	int rc = -1;

	if (mkdir_parents(path) < 0 || !(f = fopen(tmp, "w"))) {
		fprintf(stderr, "testrun: cannot write %s: %s\n", path, strerror(errno));
		free(tmp);
		return -1;
	}
	for (size_t i = 0; i < results->n; i++)
		fprintf(f, "%s\n", results->v[i]);
	if (fclose(f) == 0 && rename(tmp, path) == 0)
		rc = 0;
	else
		fprintf(stderr, "testrun: cannot write %s: %s\n", path, strerror(errno));
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* What a debug-exit code means, per <mica/debug.h>. */
static const char *exit_code_name(int code)
{
	switch (code) {
	case MICA_EXIT_SUCCESS: return "success";
	case MICA_EXIT_FAILURE: return "root task failure";
	case MICA_EXIT_PANIC: return "kernel panic";
	case MICA_EXIT_NO_THREAD: return "no thread left";
	case MICA_EXIT_BOOT_FAIL: return "boot refused";
	}
	return NULL;
}

char *describe_status(int wstatus)
{
	if (WIFSIGNALED(wstatus))
		return xasprintf("killed by signal %d (%s)", WTERMSIG(wstatus),
				 strsignal(WTERMSIG(wstatus)));
	return xasprintf("exit status %d", WEXITSTATUS(wstatus));
}

/*
 * QEMU's exit status is (code << 1) | 1 for a debug-exit write: "35 (kernel
 * panic)"; describe_qemu_status() says "exit status 35 (kernel panic)" or
 * "killed by signal ...".
 */
char *describe_qemu_exit(int s)
{
	const char *what = NULL;
	if (s == 0)
		what = "QEMU quit without debug-exit";
	else if (s == 1)
		what = "QEMU error, or debug-exit code 0";
	else if (s & 1)
		what = exit_code_name(s >> 1);
	if (what)
		return xasprintf("%d (%s)", s, what);
	if (s & 1)
		return xasprintf("%d (unknown debug-exit code 0x%x)", s, s >> 1);
	return xasprintf("%d", s);
}

char *describe_qemu_status(int wstatus)
{
	if (!WIFEXITED(wstatus))
		return describe_status(wstatus);
	char *code = describe_qemu_exit(WEXITSTATUS(wstatus));
	char *st = xasprintf("exit status %s", code);
	free(code);
	return st;
}

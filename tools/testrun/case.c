/*
 * testrun case: one QEMU boot per case file, its console checked against
 * expect/reject regexes and its exit status.  One result line per case,
 * boot/<name>, in case-file order even when run in parallel (-j N).
 */
#include "send.h"
#include "testrun.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <stdio.h>

static char *expand_build_dir(const char *val);

struct pattern {
	regex_t re;
	char *src;
};

struct tcase {
	const char *path;
	char *name;
	struct strlist modules;
	char *append;
	struct pattern *expect, *reject;
	size_t nexpect, nreject;
	struct send_list sends;
	int exit_status; /* -1: not given */
	char *error;     /* the file is unusable: the first reason why */

	/* Run state. */
	struct proc proc;
	size_t matched;  /* expects matched so far, in order */
	char *rejected;  /* first reject hit */
	char *result;
};

struct opts {
	double timeout;
	const char *out, *kernel, *log_dir;
	long jobs;
	char **qemu;
	struct tcase *cases;
	size_t ncases;
};

/* ---- case file parsing ---- */

static void case_error(struct tcase *c, unsigned line, const char *fmt, const char *arg)
{
	if (c->error)
		return; /* the first error is the useful one */
	char *msg = xasprintf(fmt, arg);
	c->error = line ? xasprintf("%s:%u: %s", c->path, line, msg)
			: xasprintf("%s: %s", c->path, msg);
	free(msg);
}

static void add_pattern(struct tcase *c, unsigned line, struct pattern **v,
			size_t *n, const char *src)
{
	char err[256];
	struct pattern *p;

	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	p = &(*v)[*n];
	if (!compile_regex(&p->re, src, err, sizeof(err))) {
		char *msg = xasprintf("bad regex '%s': %s", src, err);
		case_error(c, line, "%s", msg);
		free(msg);
		return;
	}
	p->src = xstrdup(src);
	(*n)++;
}

/*
 * send: REGEX TEXT -- TEXT is the last word (a blank in it is written
 * \x20), REGEX everything before it, so regexes keep their blanks.
 */
static void add_send(struct tcase *c, unsigned line, const char *val)
{
	const char *text = val + strlen(val);
	while (text > val && !isspace((unsigned char)text[-1]))
		text--;
	const char *end = text;
	while (end > val && isspace((unsigned char)end[-1]))
		end--;
	if (end == val || !*text) {
		case_error(c, line, "send needs 'REGEX TEXT', got '%s'", val);
		return;
	}
	char *regex = xstrdup(val);
	regex[end - val] = '\0';
	char *why = send_add(&c->sends, regex, text);
	if (why) {
		char *msg = xasprintf("send: %s", why);
		case_error(c, line, "%s", msg);
		free(msg);
		free(why);
	}
	free(regex);
}

static bool valid_case_name(const char *s)
{
	return *s && strcspn(s, " \t:/") == strlen(s);
}

static void set_once(struct tcase *c, unsigned line, char **field, const char *key,
		     const char *val)
{
	if (*field)
		case_error(c, line, "duplicate key '%s'", key);
	else
		*field = xstrdup(val);
}

static void set_exit(struct tcase *c, unsigned line, const char *val)
{
	char *end;
	long v = strtol(val, &end, 10);
	if (c->exit_status >= 0)
		case_error(c, line, "duplicate key '%s'", "exit");
	else if (end == val || *end || v < 0 || v > 255)
		case_error(c, line, "bad exit status '%s' (want 0..255)", val);
	else
		c->exit_status = (int)v;
}

static void case_key(struct tcase *c, unsigned line, const char *key, const char *val)
{
	if (strcmp(key, "name") == 0) {
		set_once(c, line, &c->name, key, val);
		if (!valid_case_name(val))
			case_error(c, line, "bad name '%s' (no spaces, ':' or '/')", val);
	} else if (strcmp(key, "module") == 0)
		strlist_push(&c->modules, expand_build_dir(val));
	else if (strcmp(key, "append") == 0)
		set_once(c, line, &c->append, key, val);
	else if (strcmp(key, "expect") == 0)
		add_pattern(c, line, &c->expect, &c->nexpect, val);
	else if (strcmp(key, "reject") == 0)
		add_pattern(c, line, &c->reject, &c->nreject, val);
	else if (strcmp(key, "send") == 0)
		add_send(c, line, val);
	else if (strcmp(key, "exit") == 0)
		set_exit(c, line, val);
	else
		case_error(c, line, "unknown key '%s'", key);
}

/*
 * Module paths may start with "$BUILD/": the build tree differs between
 * compilers (build/, build/clang/), so the Makefile exports BUILD and the
 * case files stay compiler-neutral.
 */
static char *expand_build_dir(const char *val)
{
	static const char prefix[] = "$BUILD/";
	if (strncmp(val, prefix, sizeof(prefix) - 1) != 0)
		return xstrdup(val);
	const char *dir = getenv("BUILD");
	if (!dir || !*dir)
		dir = "build";
	size_t n = strlen(dir) + strlen(val) + 2;
	char *out = malloc(n);
	if (!out)
		abort();
	snprintf(out, n, "%s/%s", dir, val + sizeof(prefix) - 1);
	return out;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* '#' at the start or after a blank starts a comment (write [#] in a regex). */
static void strip_comment(char *s)
{
	for (char *p = s; *p; p++)
		if (*p == '#' && (p == s || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			return;
		}
}

static void case_line(struct tcase *c, unsigned line, char *text)
{
	strip_comment(text);
	text = trim(text);
	if (!*text)
		return;
	char *colon = strchr(text, ':');
	if (!colon) {
		case_error(c, line, "expected 'key: value', got '%s'", text);
		return;
	}
	*colon = '\0';
	case_key(c, line, trim(text), trim(colon + 1));
}

/* A name for the result even when the file has none: its base name. */
static char *fallback_name(const char *path)
{
	const char *b = strrchr(path, '/');
	char *n = xstrdup(b ? b + 1 : path);
	char *dot = strrchr(n, '.');
	if (dot && dot != n)
		*dot = '\0';
	for (char *p = n; *p; p++)
		if (isspace((unsigned char)*p) || *p == ':')
			*p = '_';
	return n;
}

static void check_complete(struct tcase *c)
{
	if (!c->name)
		case_error(c, 0, "missing '%s'", "name");
	if (c->nexpect == 0)
		case_error(c, 0, "no '%s' line", "expect");
	if (c->exit_status < 0)
		case_error(c, 0, "missing '%s'", "exit");
	if (!c->error) {
		char *why = module_problem(c->modules.v, c->modules.n);
		if (why)
			case_error(c, 0, "%s", why);
		free(why);
	}
	if (c->error && (!c->name || !valid_case_name(c->name))) {
		free(c->name);
		c->name = fallback_name(c->path);
	}
}

static void parse_case(struct tcase *c)
{
	FILE *f = fopen(c->path, "r");
	char *buf = NULL;
	size_t cap = 0;
	unsigned line = 0;

	c->exit_status = -1;
	proc_init(&c->proc);
	if (!f) {
		case_error(c, 0, "cannot open: %s", strerror(errno));
	} else {
		while (getline(&buf, &cap, f) >= 0)
			case_line(c, ++line, buf);
		fclose(f);
	}
	free(buf);
	check_complete(c);
}

/* ---- running ---- */

static void on_line(struct proc *p, const char *line, bool complete)
{
	struct tcase *c = p->ctx;

	send_check(&c->sends, p, line, complete);
	if (!complete)
		return;
	/* Each expect must match a later line than the previous one. */
	if (c->matched < c->nexpect && regex_matches(&c->expect[c->matched].re, line))
		c->matched++;
	for (size_t i = 0; i < c->nreject && !c->rejected; i++)
		if (regex_matches(&c->reject[i].re, line))
			c->rejected = xasprintf("line matches reject '%s': \"%s\"",
						c->reject[i].src, line);
}

static FILE *open_case_log(const struct opts *o, const struct tcase *c)
{
	if (!o->log_dir)
		return NULL;
	char *path = xasprintf("%s/%s.log", o->log_dir, c->name);
	FILE *f = NULL;
	if (mkdir_p(o->log_dir) < 0 || !(f = fopen(path, "w")))
		fprintf(stderr, "testrun: cannot write %s: %s\n", path, strerror(errno));
	free(path);
	return f;
}

static void start_case(const struct opts *o, struct tcase *c)
{
	struct proc *p = &c->proc;

	proc_init(p);
	p->argv = qemu_argv(o->qemu, o->kernel, c->modules.v, c->modules.n, c->append);
	p->stdin_pipe = true;
	p->on_line = on_line;
	p->ctx = c;
	p->log = open_case_log(o, c);
	p->deadline = now_sec() + o->timeout;
	proc_start(p);
}

static void exit_problem(struct strlist *why, const struct tcase *c)
{
	const struct proc *p = &c->proc;
	if (WIFEXITED(p->status) && WEXITSTATUS(p->status) == c->exit_status)
		return;
	char *got = describe_qemu_status(p->status);
	char *want = describe_qemu_exit(c->exit_status);
	strlist_push(why, xasprintf("QEMU %s, expected %s", got, want));
	free(got);
	free(want);
}

/* Every way the case failed, most fundamental first. */
static char *judge(const struct opts *o, struct tcase *c)
{
	struct strlist why = { 0 };
	const struct proc *p = &c->proc;
	char *s;

	if (p->start_errno)
		strlist_push(&why, xasprintf("cannot run QEMU '%s': %s", o->qemu[0],
					     strerror(p->start_errno)));
	else if (p->timed_out)
		strlist_push(&why, xasprintf("timeout after %g s; killed", o->timeout));
	if (c->rejected)
		strlist_push(&why, xstrdup(c->rejected));
	if (!p->start_errno && c->matched < c->nexpect)
		strlist_push(&why, xasprintf("expect %zu of %zu not found: '%s'",
					     c->matched + 1, c->nexpect,
					     c->expect[c->matched].src));
	if (!p->start_errno && (s = send_unfired(&c->sends)))
		strlist_push(&why, s);
	if (!p->start_errno && !p->timed_out)
		exit_problem(&why, c);
	s = why.n ? strlist_join(&why, "; ") : NULL;
	strlist_free(&why);
	return s;
}

static void finish_case(const struct opts *o, struct tcase *c)
{
	char *name = xasprintf("boot/%s", c->name);
	char *why = c->error ? xstrdup(c->error) : judge(o, c);

	c->result = result_line(!why, name, why);
	printf("%s\n", c->result);
	if (why && !c->error)
		proc_print_tail(&c->proc);
	fflush(stdout);
	if (c->proc.log)
		fclose(c->proc.log);
	proc_free(&c->proc);
	free(c->proc.argv);
	free(name);
	free(why);
}

static void mark_duplicates(struct opts *o)
{
	for (size_t i = 0; i < o->ncases; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(o->cases[i].name, o->cases[j].name) == 0) {
				struct tcase *c = &o->cases[i];
				case_error(c, 0, "duplicate case name '%s'", c->name);
				free(c->name); /* report it under its file name */
				c->name = fallback_name(c->path);
				break;
			}
}

/* Keep up to -j QEMUs running; reap whichever finishes. */
static void run_all(struct opts *o)
{
	struct proc *running[o->jobs];
	struct tcase *owner[o->jobs];
	size_t nrun = 0, next = 0;

	while (next < o->ncases || nrun) {
		while (next < o->ncases && nrun < (size_t)o->jobs) {
			struct tcase *c = &o->cases[next++];
			if (c->error) {
				finish_case(o, c);
				continue;
			}
			start_case(o, c);
			owner[nrun] = c;
			running[nrun++] = &c->proc;
		}
		if (!nrun)
			break;
		proc_poll(running, nrun);
		for (size_t i = 0; i < nrun;) {
			if (!proc_done(running[i])) {
				i++;
				continue;
			}
			finish_case(o, owner[i]);
			nrun--; /* move the last one into the freed slot */
			running[i] = running[nrun];
			owner[i] = owner[nrun];
		}
	}
}

static void parse_args(struct opts *o, int argc, char **argv)
{
	int i;
	struct strlist files = { 0 };

	o->jobs = 1;
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--timeout") == 0) {
			if (!parse_seconds(need_arg(argc, argv, &i), &o->timeout))
				usage_error("bad --timeout '%s'", argv[i]);
		} else if (strcmp(a, "--out") == 0)
			o->out = need_arg(argc, argv, &i);
		else if (strcmp(a, "--kernel") == 0)
			o->kernel = need_arg(argc, argv, &i);
		else if (strcmp(a, "--log-dir") == 0)
			o->log_dir = need_arg(argc, argv, &i);
		else if (strcmp(a, "-j") == 0 || strncmp(a, "-j", 2) == 0) {
			const char *v = a[2] ? a + 2 : need_arg(argc, argv, &i);
			char *end;
			o->jobs = strtol(v, &end, 10);
			if (*end || end == v || o->jobs < 1 || o->jobs > 64)
				usage_error("bad -j '%s'", v);
		} else if (a[0] == '-')
			usage_error("case: unknown option '%s'", a);
		else
			strlist_push(&files, (char *)a);
	}
	if (o->timeout <= 0 || !o->out || !o->kernel)
		usage_error("case needs --timeout, --out and --kernel");
	if (!files.n)
		usage_error("case needs at least one CASEFILE");
	if (i + 1 >= argc)
		usage_error("case needs '-- QEMU ARGV...'");
	o->qemu = argv + i + 1;
	o->ncases = files.n;
	o->cases = xmalloc(files.n * sizeof(*o->cases));
	memset(o->cases, 0, files.n * sizeof(*o->cases));
	for (size_t k = 0; k < files.n; k++)
		o->cases[k].path = files.v[k];
	free(files.v);
}

int cmd_case(int argc, char **argv)
{
	struct opts o = { 0 };
	struct strlist results = { 0 };

	parse_args(&o, argc, argv);
	for (size_t i = 0; i < o.ncases; i++)
		parse_case(&o.cases[i]);
	mark_duplicates(&o);
	if (!file_exists(o.kernel))
		for (size_t i = 0; i < o.ncases; i++)
			case_error(&o.cases[i], 0, "kernel file not found: %s", o.kernel);
	run_all(&o);
	for (size_t i = 0; i < o.ncases; i++)
		strlist_push(&results, o.cases[i].result);
	if (write_results(o.out, &results) < 0)
		return 1;
	return count_failures(&results) ? 1 : 0;
}

/*
 * testrun suite: boot QEMU once and collect the results a test root task
 * prints with the serial protocol of <mica/debug.h>.  Anything wrong with
 * the run itself (panic, timeout, protocol error, bad exit status...) is one
 * extra FAIL named NAME/boot, followed by the end of the console output.
 */
#include "send.h"
#include "testrun.h"

#include <mica/debug.h>

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* How long QEMU may keep running after a panic line. */
#define PANIC_GRACE 5.0

struct suite {
	/* Options. */
	const char *name, *out, *kernel, *append, *log;
	double timeout;
	struct strlist modules;
	struct send_list sends;
	char **qemu;

	/* Run state. */
	long plan;
	bool have_plan, done, panicked, panic_cut, early_result;
	size_t nresults;
	struct strlist names, problems, results;
};

static void parse_args(struct suite *s, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *o = argv[i];
		if (strcmp(o, "--name") == 0)
			s->name = need_arg(argc, argv, &i);
		else if (strcmp(o, "--timeout") == 0) {
			if (!parse_seconds(need_arg(argc, argv, &i), &s->timeout))
				usage_error("bad --timeout '%s'", argv[i]);
		} else if (strcmp(o, "--out") == 0)
			s->out = need_arg(argc, argv, &i);
		else if (strcmp(o, "--kernel") == 0)
			s->kernel = need_arg(argc, argv, &i);
		else if (strcmp(o, "--module") == 0)
			strlist_push(&s->modules, (char *)need_arg(argc, argv, &i));
		else if (strcmp(o, "--append") == 0)
			s->append = need_arg(argc, argv, &i);
		else if (strcmp(o, "--log") == 0)
			s->log = need_arg(argc, argv, &i);
		else if (strcmp(o, "--send") == 0) {
			const char *re = need_arg(argc, argv, &i);
			char *why = send_add(&s->sends, re, need_arg(argc, argv, &i));
			if (why)
				usage_error("--send: %s", why);
		} else
			usage_error("suite: unknown option '%s'", o);
	}
	if (!s->name || s->timeout <= 0 || !s->out || !s->kernel)
		usage_error("suite needs --name, --timeout, --out and --kernel");
	if (i + 1 >= argc)
		usage_error("suite needs '-- QEMU ARGV...'");
	s->qemu = argv + i + 1;
}

static void problem(struct suite *s, char *owned)
{
	strlist_push(&s->problems, owned);
}

static void malformed(struct suite *s, const char *line, const char *why)
{
	problem(s, xasprintf("malformed protocol line (%s): \"%s\"", why, line));
}

/* Test names contain no spaces or colons (see <mica/debug.h>). */
static bool valid_name(const char *n, size_t len)
{
	return len > 0 && strcspn(n, " \t:") >= len;
}

static void record(struct suite *s, const char *test, bool pass, const char *why)
{
	if (!s->have_plan && !s->early_result) {
		s->early_result = true;
		problem(s, xasprintf("result for '%s' before the plan line", test));
	}
	if (strlist_has(&s->names, test)) {
		problem(s, xasprintf("duplicate test name '%s'", test));
		return;
	}
	strlist_push(&s->names, xstrdup(test));
	s->nresults++;
	char *full = xasprintf("%s/%s", s->name, test);
	emit(&s->results, result_line(pass, full, why && *why ? why : "(no reason given)"));
	free(full);
}

static void on_plan(struct suite *s, const char *line, const char *arg)
{
	if (!arg || !*arg || strspn(arg, "0123456789") != strlen(arg) || strlen(arg) > 9)
		malformed(s, line, "plan needs a number");
	else if (s->have_plan)
		malformed(s, line, "second plan");
	else {
		s->have_plan = true;
		s->plan = atol(arg);
	}
}

static void on_fail(struct suite *s, const char *line, const char *arg)
{
	const char *colon = arg ? strchr(arg, ':') : NULL;
	if (!colon || !valid_name(arg, (size_t)(colon - arg))) {
		malformed(s, line, "expected 'fail NAME: WHY'");
		return;
	}
	char *test = strndup(arg, (size_t)(colon - arg));
	record(s, test, false, colon[1] == ' ' ? colon + 2 : colon + 1);
	free(test);
}

static bool verb_is(const char *verb, size_t len, const char *want)
{
	return len == strlen(want) && strncmp(verb, want, len) == 0;
}

/* One "@@mica-test VERB [ARG]" line, trailing blanks already removed. */
static void protocol(struct suite *s, const char *line)
{
	const char *verb = line + strlen(MICA_TEST_TAG);
	size_t vlen = strcspn(verb, " ");
	const char *arg = verb[vlen] ? verb + vlen + 1 : NULL;

	if (s->done) {
		malformed(s, line, "after done");
	} else if (verb_is(verb, vlen, MICA_TEST_PLAN)) {
		on_plan(s, line, arg);
	} else if (verb_is(verb, vlen, MICA_TEST_OK)) {
		if (arg && valid_name(arg, strlen(arg)))
			record(s, arg, true, NULL);
		else
			malformed(s, line, "expected 'ok NAME'");
	} else if (verb_is(verb, vlen, MICA_TEST_FAIL)) {
		on_fail(s, line, arg);
	} else if (verb_is(verb, vlen, MICA_TEST_DONE)) {
		if (arg)
			malformed(s, line, "junk after done");
		else
			s->done = true;
	} else {
		malformed(s, line, "unknown verb");
	}
}

static void on_line(struct proc *p, const char *line, bool complete)
{
	struct suite *s = p->ctx;

	send_check(&s->sends, p, line, complete);
	if (!complete)
		return;
	if (strstr(line, MICA_PANIC_TAG) && !s->panicked) {
		s->panicked = true;
		problem(s, xasprintf("kernel panic: %s", line));
		if (p->deadline > now_sec() + PANIC_GRACE) {
			p->deadline = now_sec() + PANIC_GRACE;
			s->panic_cut = true;
		}
	}
	if (strncmp(line, MICA_TEST_TAG, strlen(MICA_TEST_TAG)) == 0) {
		char *l = xstrdup(line);
		size_t n = strlen(l);
		while (n && (l[n - 1] == ' ' || l[n - 1] == '\t'))
			l[--n] = '\0';
		protocol(s, l);
		free(l);
	}
}

/* How the run ended, as problems for NAME/boot. */
static void judge_end(struct suite *s, const struct proc *p)
{
	char *st = p->start_errno ? NULL : describe_qemu_status(p->status);
	int ok_status = MICA_QEMU_STATUS(MICA_EXIT_SUCCESS);

	if (p->start_errno)
		problem(s, xasprintf("cannot run QEMU '%s': %s", s->qemu[0],
				     strerror(p->start_errno)));
	else if (p->timed_out && s->panic_cut)
		problem(s, xasprintf("QEMU still running %g s after the panic; killed",
				     PANIC_GRACE));
	else if (p->timed_out)
		problem(s, xasprintf("timeout after %g s%s; killed", s->timeout,
				     s->done ? " (QEMU did not exit after done)" : ""));
	else if (!s->done)
		problem(s, xasprintf("QEMU exited without done: %s", st));
	else if (!WIFEXITED(p->status) || WEXITSTATUS(p->status) != ok_status)
		problem(s, xasprintf("bad QEMU exit after done: %s", st));
	if (s->done && (!s->have_plan || (size_t)s->plan != s->nresults))
		problem(s, s->have_plan
			? xasprintf("plan %ld but %zu results", s->plan, s->nresults)
			: xasprintf("done without a plan line"));
	if (s->nresults == 0 && s->problems.n == 0)
		problem(s, xstrdup("no test results"));
	free(st);
}

static void report_boot(struct suite *s, const struct proc *p)
{
	if (s->problems.n == 0)
		return;
	char *name = xasprintf("%s/boot", s->name);
	char *why = strlist_join(&s->problems, "; ");
	emit(&s->results, result_line(false, name, why));
	if (p)
		proc_print_tail(p);
	free(name);
	free(why);
}

/* Problems found before booting: no point starting QEMU. */
static bool preflight(struct suite *s)
{
	char *why = module_problem(s->modules.v, s->modules.n);
	if (!file_exists(s->kernel))
		problem(s, xasprintf("kernel file not found: %s", s->kernel));
	if (why)
		problem(s, why);
	return s->problems.n == 0;
}

static FILE *open_log(const char *path)
{
	FILE *f;
	if (!path)
		return NULL;
	if (mkdir_parents(path) < 0 || !(f = fopen(path, "w")))
		fatal("cannot write log %s", path);
	return f;
}

static void boot(struct suite *s)
{
	struct proc p;

	proc_init(&p);
	p.argv = qemu_argv(s->qemu, s->kernel, s->modules.v, s->modules.n, s->append);
	p.stdin_pipe = true;
	p.on_line = on_line;
	p.ctx = s;
	p.log = open_log(s->log);
	p.deadline = now_sec() + s->timeout;
	proc_start(&p);
	while (!proc_done(&p))
		proc_poll((struct proc *[]){ &p }, 1);
	judge_end(s, &p);
	report_boot(s, &p);
	if (p.log)
		fclose(p.log);
	proc_free(&p);
	free(p.argv);
}

int cmd_suite(int argc, char **argv)
{
	struct suite s = { 0 };

	parse_args(&s, argc, argv);
	if (preflight(&s))
		boot(&s);
	else
		report_boot(&s, NULL);
	if (write_results(s.out, &s.results) < 0)
		return 1;
	return count_failures(&s.results) ? 1 : 0;
}

/*
 * testrun unit: run a cmocka binary with CMOCKA_MESSAGE_OUTPUT=TAP and turn
 * its TAP into results.  What cmocka 1.1 prints (checked on bookworm):
 *
 *   1..3                       one plan per cmocka_run_group_tests() call
 *   ok 1 - a_pass
 *   ERROR: boom 3              a test's own output (stderr too) comes first
 *   not ok 2 - b_fail
 *   # t.c:9: error: Failure!   diagnostics follow the "not ok"
 *   not ok 3 # SKIP c_skip
 *   not ok 1 - a_pass Could not run test: Test setup failed
 *   not ok 0 - grp [  FAILED  ] GROUP SETUP     (or GROUP TEARDOWN)
 *   # not ok - grp             group summary
 *
 * A crash (abort, sanitizer) just stops the output, so a group with fewer
 * results than its plan, a signal, or a non-zero exit without any "not ok"
 * becomes FAIL NAME/run with the end of the output.
 */
#include "testrun.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

#define UNIT_TIMEOUT 120.0

struct unit {
	const char *name, *out;
	double timeout;
	char **argv;

	/* TAP state. */
	bool in_group, group_aborted;
	size_t group_plan, group_count, ngroups;
	size_t nresults;
	bool any_not_ok;
	char *sanitizer;       /* first sanitizer "SUMMARY:" line */
	struct strlist output; /* non-TAP lines since the last result */

	/* A "not ok" waiting for its "#" diagnostics. */
	char *pend_name, *pend_reason;
	struct strlist pend_diag, pend_output;

	struct strlist names, problems, results;
};

static void parse_args(struct unit *u, int argc, char **argv)
{
	int i;

	u->timeout = UNIT_TIMEOUT;
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *o = argv[i];
		if (strcmp(o, "--name") == 0)
			u->name = need_arg(argc, argv, &i);
		else if (strcmp(o, "--out") == 0)
			u->out = need_arg(argc, argv, &i);
		else if (strcmp(o, "--timeout") == 0) {
			if (!parse_seconds(need_arg(argc, argv, &i), &u->timeout))
				usage_error("bad --timeout '%s'", argv[i]);
		} else
			usage_error("unit: unknown option '%s'", o);
	}
	if (!u->name || !u->out)
		usage_error("unit needs --name and --out");
	if (i + 1 >= argc)
		usage_error("unit needs '-- BINARY [ARGS...]'");
	u->argv = argv + i + 1;
}

/* Keep only the last lines: enough to show what a failing test printed. */
static void keep_line(struct strlist *l, const char *line)
{
	if (l->n == TR_TAIL_LINES) {
		free(l->v[0]);
		memmove(l->v, l->v + 1, (l->n - 1) * sizeof(*l->v));
		l->n--;
	}
	strlist_push(l, xstrdup(line));
}

static void print_indented(const struct strlist *l, const char *prefix)
{
	for (size_t i = 0; i < l->n; i++)
		printf("    %s%s\n", prefix, l->v[i]);
}

/* cmocka reuses names across groups; make each result name unique. */
static char *unique_name(struct unit *u, const char *test)
{
	char *n = xstrdup(test);
	for (int k = 2; strlist_has(&u->names, n); k++) {
		free(n);
		n = xasprintf("%s#%d", test, k);
	}
	strlist_push(&u->names, xstrdup(n));
	char *full = xasprintf("%s/%s", u->name, n);
	free(n);
	return full;
}

static void flush_pending(struct unit *u)
{
	if (!u->pend_name)
		return;
	struct strlist why = { 0 };
	if (*u->pend_reason)
		strlist_push(&why, xstrdup(u->pend_reason));
	for (size_t i = 0; i < u->pend_diag.n; i++)
		strlist_push(&why, xstrdup(u->pend_diag.v[i]));
	char *reason = why.n ? strlist_join(&why, "; ") : xstrdup("not ok");
	emit(&u->results, result_line(false, u->pend_name, reason));
	print_indented(&u->pend_output, "");
	fflush(stdout);
	free(reason);
	strlist_free(&why);
	free(u->pend_name);
	free(u->pend_reason);
	u->pend_name = u->pend_reason = NULL;
	strlist_free(&u->pend_diag);
	strlist_free(&u->pend_output);
}

static void end_group(struct unit *u)
{
	if (u->in_group && !u->group_aborted && u->group_count != u->group_plan)
		strlist_push(&u->problems,
			     xasprintf("group %zu: plan 1..%zu but %zu results",
				       u->ngroups, u->group_plan, u->group_count));
	u->in_group = false;
}

static void on_plan(struct unit *u, const char *line)
{
	flush_pending(u);
	end_group(u);
	u->in_group = true;
	u->group_aborted = false;
	u->group_plan = strtoul(line + 3, NULL, 10);
	u->group_count = 0;
	u->ngroups++;
}

/* "not ok 0 - GROUP [ FAILED ] GROUP SETUP": a group-level failure. */
static void group_failure(struct unit *u, const char *group, const char *rest)
{
	const char *what = strstr(rest, "GROUP SETUP") ? "group_setup"
			 : strstr(rest, "GROUP TEARDOWN") ? "group_teardown" : "group";
	char *test = xasprintf("%s/%s", group, what);
	u->pend_name = unique_name(u, test);
	u->pend_reason = xasprintf("%s failed", what);
	u->group_aborted = true;
	free(test);
}

static void pass(struct unit *u, const char *test, bool skipped)
{
	char *full = unique_name(u, test);
	emit(&u->results, result_line(true, full, NULL));
	if (skipped) {
		printf("    (skipped)\n");
		fflush(stdout);
	}
	free(full);
}

/* desc is what follows "ok N" / "not ok N": " - name extra" or " # SKIP name". */
static void on_result(struct unit *u, bool ok, long num, const char *desc)
{
	char test[256];
	const char *rest;
	bool skip = false;

	desc += strspn(desc, " ");
	if (strncasecmp(desc, "# SKIP", 6) == 0) {
		skip = true;
		desc += 6;
	} else if (strncmp(desc, "- ", 2) == 0) {
		desc += 2;
	}
	desc += strspn(desc, " ");
	size_t n = strcspn(desc, " \t");
	snprintf(test, sizeof(test), "%.*s", (int)n, desc);
	if (!*test)
		snprintf(test, sizeof(test), "test%ld", num);
	rest = desc + n + strspn(desc + n, " \t");
	skip = skip || strcasestr(rest, "# SKIP");

	if (!ok && num == 0) {
		group_failure(u, test, rest);
		return;
	}
	u->group_count++;
	u->nresults++;
	if (ok || skip) {
		pass(u, test, skip);
		strlist_free(&u->output);
		return;
	}
	u->any_not_ok = true;
	u->pend_name = unique_name(u, test);
	u->pend_reason = xstrdup(rest);
	u->pend_output = u->output; /* what the test printed before failing */
	memset(&u->output, 0, sizeof(u->output));
}

static bool parse_result(const char *line, bool *ok, long *num, const char **desc)
{
	char *end;

	*ok = strncmp(line, "ok ", 3) == 0;
	if (!*ok && strncmp(line, "not ok ", 7) != 0)
		return false;
	line += *ok ? 3 : 7;
	*num = strtol(line, &end, 10);
	if (end == line)
		return false;
	*desc = end;
	return true;
}

static void on_line(struct proc *p, const char *line, bool complete)
{
	struct unit *u = p->ctx;
	const char *desc;
	bool ok;
	long num;

	if (!complete)
		return;
	if (strncmp(line, "1..", 3) == 0) {
		on_plan(u, line);
	} else if (parse_result(line, &ok, &num, &desc)) {
		flush_pending(u);
		on_result(u, ok, num, desc);
	} else if (strncmp(line, "# ok - ", 7) == 0 || strncmp(line, "# not ok - ", 11) == 0) {
		flush_pending(u); /* group summary */
	} else if (line[0] == '#' && u->pend_name) {
		strlist_push(&u->pend_diag, xstrdup(line + 1 + strspn(line + 1, " ")));
	} else {
		flush_pending(u);
		keep_line(&u->output, line);
		/* The tail may be all shadow-byte dump: keep the gist. */
		if (!u->sanitizer && strncmp(line, "SUMMARY: ", 9) == 0 && strstr(line, "Sanitizer"))
			u->sanitizer = xstrdup(line);
	}
}

static void judge_end(struct unit *u, const struct proc *p)
{
	char *st = describe_status(p->status);

	if (p->start_errno)
		strlist_push(&u->problems, xasprintf("cannot run '%s': %s", u->argv[0],
						     strerror(p->start_errno)));
	else if (p->timed_out)
		strlist_push(&u->problems, xasprintf("timeout after %g s; killed", u->timeout));
	else if (WIFSIGNALED(p->status))
		strlist_push(&u->problems, xstrdup(st));
	else if (WEXITSTATUS(p->status) != 0 && !u->any_not_ok)
		strlist_push(&u->problems, xasprintf("%s but no test failed", st));
	else if (WEXITSTATUS(p->status) != 0 && u->problems.n)
		strlist_push(&u->problems, xstrdup(st));
	if (u->nresults == 0 && u->problems.n == 0)
		strlist_push(&u->problems, xasprintf("no test results (%s)", st));
	if (u->sanitizer)
		strlist_push(&u->problems, xstrdup(u->sanitizer));
	free(st);
}

static void report_run(struct unit *u, const struct proc *p)
{
	if (!u->problems.n)
		return;
	char *name = xasprintf("%s/run", u->name);
	char *why = strlist_join(&u->problems, "; ");
	emit(&u->results, result_line(false, name, why));
	proc_print_tail(p);
	free(name);
	free(why);
}

int cmd_unit(int argc, char **argv)
{
	struct unit u = { 0 };
	struct proc p;

	parse_args(&u, argc, argv);
	proc_init(&p);
	p.argv = u.argv;
	p.env = "CMOCKA_MESSAGE_OUTPUT=TAP";
	p.on_line = on_line;
	p.ctx = &u;
	p.deadline = now_sec() + u.timeout;
	proc_start(&p);
	while (!proc_done(&p))
		proc_poll((struct proc *[]){ &p }, 1);
	flush_pending(&u);
	end_group(&u);
	judge_end(&u, &p);
	report_run(&u, &p);
	proc_free(&p);
	if (write_results(u.out, &u.results) < 0)
		return 1;
	return count_failures(&u.results) ? 1 : 0;
}

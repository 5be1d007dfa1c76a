/*
 * testrun: host-side test runner for Mica (see README.md).
 *
 * Shared declarations.  Every subcommand reports results as lines
 * "PASS <name>" or "FAIL <name>: <reason>", printed as soon as known and
 * written to a results file at the end.
 */
#ifndef TESTRUN_H
#define TESTRUN_H

#define _GNU_SOURCE 1

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define TR_LINE_MAX   4096 /* longer output lines are cut here */
#define TR_TAIL_LINES 40   /* output lines shown with a failed run */

/* ---- util.c ---- */

/* A growable list of owned strings. */
struct strlist {
	char **v;
	size_t n, cap;
};

void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void strlist_push(struct strlist *l, char *owned);
bool strlist_has(const struct strlist *l, const char *s);
char *strlist_join(const struct strlist *l, const char *sep);
void strlist_free(struct strlist *l);

double now_sec(void);
bool parse_seconds(const char *s, double *out);
int mkdir_parents(const char *path);
int mkdir_p(const char *dir);
bool file_exists(const char *path);
char *decode_escapes(const char *s, size_t *len);
bool compile_regex(regex_t *re, const char *src, char *err, size_t errlen);
bool regex_matches(const regex_t *re, const char *line);

/* Results: one list per subcommand run, written to --out at the end. */
char *result_line(bool pass, const char *name, const char *reason);
void emit(struct strlist *results, char *line);
int write_results(const char *path, const struct strlist *results);
int count_failures(const struct strlist *results);

char *describe_qemu_exit(int status);
char *describe_qemu_status(int wstatus);
char *describe_status(int wstatus);

/* ---- proc.c ---- */

struct proc;
typedef void line_fn(struct proc *p, const char *line, bool complete);

/*
 * One child process whose stdout+stderr we read line by line, in its own
 * process group so that a timeout can kill everything it started.
 */
struct proc {
	/* Filled in by the caller before proc_start(). */
	char **argv;
	const char *env;  /* "NAME=value" to set in the child, or NULL */
	bool stdin_pipe;  /* keep a pipe to its stdin (else /dev/null) */
	line_fn *on_line; /* called per line; complete=false: partial line */
	void *ctx;
	FILE *log;       /* full output goes here too, if set */
	double deadline; /* now_sec() value at which it is killed */

	/* State. */
	pid_t pid;
	int out_fd, in_fd;
	char line[TR_LINE_MAX + 1];
	size_t len;
	char *tail[TR_TAIL_LINES];
	size_t tail_next;
	char *inbuf; /* bytes queued for the child's stdin */
	size_t inlen;
	bool eof, exited, timed_out;
	int start_errno; /* exec or fork failure, 0 if it started */
	int status;      /* wait status once exited */
};

void proc_init(struct proc *p);
void proc_start(struct proc *p);
void proc_poll(struct proc **ps, size_t n);
bool proc_done(const struct proc *p);
void proc_send(struct proc *p, const char *data, size_t len);
void proc_print_tail(const struct proc *p);
void proc_free(struct proc *p);

/* ---- qemu.c ---- */

char **qemu_argv(char **qemu, const char *kernel, char **modules,
		 size_t nmodules, const char *append);
char *module_problem(char **modules, size_t nmodules);

/* ---- subcommands ---- */

int cmd_suite(int argc, char **argv);
int cmd_case(int argc, char **argv);
int cmd_unit(int argc, char **argv);
int cmd_summary(int argc, char **argv);

/* ---- main.c ---- */

void usage_error(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
const char *need_arg(int argc, char **argv, int *i);

#endif

/*
 * testrun: typing into the guest.  A list of (REGEX, TEXT) pairs used in
 * order: TEXT goes to QEMU's stdin (the guest's serial port with
 * -serial stdio) once a console line matches REGEX.  Partial lines count
 * too, since a prompt has no newline yet; a send only fires on output that
 * came after the previous one fired, even on the same line.  Used by
 * `suite --send` and the `send:` key of `case` files.
 */
#ifndef TESTRUN_SEND_H
#define TESTRUN_SEND_H

#include "testrun.h"

struct send {
	regex_t re;
	char *regex;  /* its source, for messages */
	char *text;
	size_t len;
};

struct send_list {
	struct send *v;
	size_t n;
	/* Run state. */
	size_t next;   /* the next one to fire */
	bool fired;    /* one fired on the current console line... */
	size_t mark;   /* ...when that line was this long */
};

/* Add a pair; TEXT understands \n \r \t \e \\ \xHH.  On a bad regex or
 * escape, returns a message (owned by the caller) and adds nothing. */
char *send_add(struct send_list *l, const char *regex, const char *text);

/* Feed one console line (complete or partial) as the runner sees it. */
void send_check(struct send_list *l, struct proc *p, const char *line, bool complete);

/* NULL if every send fired, else a message naming the first that did not. */
char *send_unfired(const struct send_list *l);

#endif

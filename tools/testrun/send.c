/* testrun: typing into the guest when its console shows a pattern (send.h). */
#include "send.h"

#include <stdlib.h>
#include <string.h>

char *send_add(struct send_list *l, const char *regex, const char *text)
{
	char err[256];
	struct send x = { 0 };

	if (!compile_regex(&x.re, regex, err, sizeof(err)))
		return xasprintf("bad regex '%s': %s", regex, err);
	x.text = decode_escapes(text, &x.len);
	if (!x.text) {
		regfree(&x.re);
		return xasprintf("bad escape in '%s' (use \\n \\r \\t \\e \\\\ \\xHH)", text);
	}
	x.regex = xstrdup(regex);
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = x;
	return NULL;
}

void send_check(struct send_list *l, struct proc *p, const char *line, bool complete)
{
	size_t len = strlen(line);

	if (l->next < l->n && (!l->fired || len > l->mark)) {
		struct send *x = &l->v[l->next];
		if (regex_matches(&x->re, line)) {
			proc_send(p, x->text, x->len);
			l->next++;
			l->fired = true;
			l->mark = len;
		}
	}
	if (complete)
		l->fired = false;
}

char *send_unfired(const struct send_list *l)
{
	if (l->next == l->n)
		return NULL;
	return xasprintf("send %zu of %zu never fired (no line matched '%s')", l->next + 1, l->n,
			 l->v[l->next].regex);
}

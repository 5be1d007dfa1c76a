/*
 * testrun: running child processes and reading their output line by line.
 *
 * One poll() loop serves any number of children (case -j N).  Child exit is
 * noticed through a SIGCHLD self-pipe, so poll() wakes both for output and
 * for exits, and its timeout is always the nearest deadline: nothing sleeps.
 */
#include "testrun.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* After a child exits, how long we still wait for its pipe to close. */
#define DRAIN_GRACE 2.0
/* After SIGKILL, how long before we stop waiting politely and block. */
#define KILL_GRACE 10.0

static int chld_pipe[2] = { -1, -1 };

static void on_sigchld(int sig)
{
	int saved = errno;
	(void)sig;
	if (write(chld_pipe[1], "", 1) < 0) {
		/* Pipe full: a wakeup is already pending, fine. */
	}
	errno = saved;
}

static void set_flags(int fd, bool nonblock)
{
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (nonblock)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Our pipes are close-on-exec so one QEMU never holds another's stdin. */
static void make_pipe(int fds[2])
{
	if (pipe(fds) < 0)
		fatal("pipe: %s", strerror(errno));
	set_flags(fds[0], false);
	set_flags(fds[1], false);
}

static void setup_signals(void)
{
	struct sigaction sa;

	if (chld_pipe[0] >= 0)
		return;
	make_pipe(chld_pipe);
	set_flags(chld_pipe[0], true);
	set_flags(chld_pipe[1], true);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	/* A dead QEMU must not kill us when --send writes to it. */
	signal(SIGPIPE, SIG_IGN);
}

void proc_init(struct proc *p)
{
	memset(p, 0, sizeof(*p));
	p->pid = -1;
	p->out_fd = p->in_fd = -1;
}

/* In the child: wire up fds, then exec; report exec errno to the parent. */
static void child(struct proc *p, int in_fd, int out_fd, int err_fd)
{
	sigset_t none;

	setpgid(0, 0);
	if (in_fd < 0)
		in_fd = open("/dev/null", O_RDONLY);
	dup2(in_fd, 0);
	dup2(out_fd, 1);
	dup2(out_fd, 2);
	/* SIG_IGN survives exec; the child should get default SIGPIPE. */
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (p->env)
		putenv((char *)p->env);
	execvp(p->argv[0], p->argv);
	int e = errno;
	if (write(err_fd, &e, sizeof(e)) < 0) {
		/* The parent then just sees exit status 127. */
	}
	_exit(127);
}

static void start_failed(struct proc *p, int err)
{
	p->start_errno = err;
	p->exited = p->eof = true;
	if (p->out_fd >= 0)
		close(p->out_fd);
	if (p->in_fd >= 0)
		close(p->in_fd);
	p->out_fd = p->in_fd = -1;
}

/* The CLOEXEC error pipe reads empty when exec succeeded. */
static int read_exec_errno(int fd)
{
	int e = 0;
	ssize_t n;
	do
		n = read(fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(e) ? e : 0;
}

void proc_start(struct proc *p)
{
	int out[2], in[2] = { -1, -1 }, err[2];

	setup_signals();
	make_pipe(out);
	make_pipe(err);
	if (p->stdin_pipe)
		make_pipe(in);
	p->pid = fork();
	int fork_errno = errno;
	if (p->pid == 0)
		child(p, in[0], out[1], err[1]);
	close(out[1]);
	close(err[1]);
	if (in[0] >= 0)
		close(in[0]);
	p->out_fd = out[0];
	p->in_fd = in[1];
	if (p->pid < 0) {
		close(err[0]);
		start_failed(p, fork_errno);
		return;
	}
	setpgid(p->pid, p->pid); /* also here: no race with an early kill */
	int e = read_exec_errno(err[0]);
	close(err[0]);
	if (e) {
		waitpid(p->pid, NULL, 0);
		start_failed(p, e);
		return;
	}
	set_flags(p->out_fd, true);
	if (p->in_fd >= 0)
		set_flags(p->in_fd, true);
}

bool proc_done(const struct proc *p)
{
	return p->exited && p->eof;
}

static void tail_push(struct proc *p, const char *line)
{
	free(p->tail[p->tail_next]);
	p->tail[p->tail_next] = xstrdup(line);
	p->tail_next = (p->tail_next + 1) % TR_TAIL_LINES;
}

static void deliver_line(struct proc *p)
{
	p->line[p->len] = '\0';
	tail_push(p, p->line);
	p->on_line(p, p->line, true);
	p->len = 0;
}

/* Split into lines: CRs dropped, NULs made visible, long lines cut. */
static void take_bytes(struct proc *p, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = buf[i];
		if (c == '\r')
			continue;
		if (p->log)
			fputc(c, p->log);
		if (c == '\n')
			deliver_line(p);
		else if (p->len < TR_LINE_MAX)
			p->line[p->len++] = c ? c : '?';
	}
	if (p->len) {
		p->line[p->len] = '\0';
		p->on_line(p, p->line, false);
	}
}

static void close_output(struct proc *p)
{
	if (p->len)
		deliver_line(p);
	if (p->out_fd >= 0)
		close(p->out_fd);
	p->out_fd = -1;
	p->eof = true;
	if (p->log)
		fflush(p->log);
}

static void read_output(struct proc *p)
{
	char buf[8192];
	ssize_t n = read(p->out_fd, buf, sizeof(buf));

	if (n > 0)
		take_bytes(p, buf, (size_t)n);
	else if (n == 0 || (errno != EAGAIN && errno != EINTR))
		close_output(p);
}

static void drop_stdin(struct proc *p)
{
	if (p->in_fd >= 0)
		close(p->in_fd);
	p->in_fd = -1;
	free(p->inbuf);
	p->inbuf = NULL;
	p->inlen = 0;
}

/* Non-blocking, so a child that never reads cannot stall the timeout. */
static void flush_stdin(struct proc *p)
{
	while (p->inlen && p->in_fd >= 0) {
		ssize_t n = write(p->in_fd, p->inbuf, p->inlen);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			drop_stdin(p); /* child gone (EPIPE): nothing to tell it */
			return;
		}
		memmove(p->inbuf, p->inbuf + n, p->inlen - (size_t)n);
		p->inlen -= (size_t)n;
	}
}

void proc_send(struct proc *p, const char *data, size_t len)
{
	if (p->in_fd < 0)
		return;
	p->inbuf = xrealloc(p->inbuf, p->inlen + len);
	memcpy(p->inbuf + p->inlen, data, len);
	p->inlen += len;
	flush_stdin(p);
}

/*
 * Peek with WNOWAIT first: while the exited leader is not reaped its pid
 * cannot be reused, so killing its group (leftover children holding our
 * pipe) cannot hit a stranger.
 */
static void check_exit(struct proc *p)
{
	siginfo_t si;

	if (p->exited)
		return;
	si.si_pid = 0;
	if (waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 ||
	    si.si_pid != p->pid)
		return;
	kill(-p->pid, SIGKILL);
	waitpid(p->pid, &p->status, 0);
	p->exited = true;
	drop_stdin(p);
	if (p->deadline > now_sec() + DRAIN_GRACE)
		p->deadline = now_sec() + DRAIN_GRACE;
}

static void check_deadline(struct proc *p)
{
	if (proc_done(p) || now_sec() < p->deadline)
		return;
	if (p->exited) {
		close_output(p); /* someone outside the group holds the pipe */
	} else if (!p->timed_out) {
		p->timed_out = true;
		kill(-p->pid, SIGKILL);
		p->deadline = now_sec() + KILL_GRACE;
	} else {
		/* SIGKILLed long ago and still there: stop being polite. */
		waitpid(p->pid, &p->status, 0);
		p->exited = true;
		drop_stdin(p);
		close_output(p);
	}
}

static int poll_timeout_ms(struct proc **ps, size_t n)
{
	double t = now_sec(), soonest = -1;
	for (size_t i = 0; i < n; i++) {
		if (proc_done(ps[i]))
			continue;
		double left = ps[i]->deadline - t;
		if (soonest < 0 || left < soonest)
			soonest = left < 0 ? 0 : left;
	}
	return soonest < 0 ? -1 : (int)(soonest * 1000) + 1;
}

static void drain_chld_pipe(void)
{
	char buf[64];
	while (read(chld_pipe[0], buf, sizeof(buf)) > 0)
		;
}

/* One round: wait for output, writability, exits or the next deadline. */
void proc_poll(struct proc **ps, size_t n)
{
	struct pollfd fds[1 + 2 * n];
	size_t nfds = 1;

	fds[0] = (struct pollfd){ .fd = chld_pipe[0], .events = POLLIN };
	for (size_t i = 0; i < n; i++) {
		struct proc *p = ps[i];
		if (p->out_fd >= 0)
			fds[nfds++] = (struct pollfd){ .fd = p->out_fd, .events = POLLIN };
		if (p->inlen && p->in_fd >= 0)
			fds[nfds++] = (struct pollfd){ .fd = p->in_fd, .events = POLLOUT };
	}
	if (poll(fds, nfds, poll_timeout_ms(ps, n)) < 0 && errno != EINTR)
		fatal("poll: %s", strerror(errno));
	drain_chld_pipe();
	for (size_t i = 0; i < n; i++) {
		struct proc *p = ps[i];
		for (size_t j = 1; j < nfds; j++) {
			if (!fds[j].revents)
				continue;
			if (fds[j].fd == p->out_fd)
				read_output(p);
			else if (fds[j].fd == p->in_fd)
				flush_stdin(p);
		}
		check_exit(p);
		check_deadline(p);
	}
}

void proc_print_tail(const struct proc *p)
{
	bool any = false;
	for (size_t i = 0; i < TR_TAIL_LINES; i++) {
		const char *l = p->tail[(p->tail_next + i) % TR_TAIL_LINES];
		if (l) {
			printf("    %s\n", l);
			any = true;
		}
	}
	if (!any)
		printf("    (no output)\n");
	fflush(stdout);
}

void proc_free(struct proc *p)
{
	for (size_t i = 0; i < TR_TAIL_LINES; i++)
		free(p->tail[i]);
	drop_stdin(p);
	if (p->out_fd >= 0)
		close(p->out_fd);
	p->out_fd = -1;
}

/*
 * bench: host side of `make bench` (docs/benchmarks.md).
 *
 *   bench --kernel KERNEL --module "PATH [ARGS]" [--module ...] [--timeout SECS]
 *         [--log FILE] [--json FILE] -- QEMU ARGV...
 *
 * Boots QEMU ARGV... -kernel KERNEL -initrd "m1,m2" once (ARGV should be
 * $(QEMU_BENCH): -icount shift=0,sleep=off, serial on stdio, isa-debug-exit),
 * kills it after the timeout, collects the "@@mica-bench" lines the
 * benchmark root task prints (tests/bench/bench.h), prints a table with the
 * seL4 reference figures and the issue targets, and writes JSON.
 *
 * Exit status: 0 if the run finished ("done", QEMU exited through
 * isa-debug-exit with success) and no benchmark failed; 1 otherwise;
 * 2 on bad arguments.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mica/debug.h>

#define TAG "@@mica-bench "
#define MAX_RESULTS 64
#define MAX_MODULES 8
#define LINE_MAX_LEN 1024

/*
 * What each benchmark is, and what to compare it with. seL4 figures are
 * from BENCHMARKS.md (seL4 + sel4bench under the same QEMU and -icount
 * settings, skim on); SEL4_QEMU64 marks the fastpath rows measured with
 * -cpu qemu64,+rdtscp (the CPU model `make bench` uses), SEL4_DEFAULT rows
 * were measured with QEMU's default CPU model, SEL4_SUM rows are the sum
 * of two qemu64 one-way figures. Targets are issue 4's.
 */
enum sel4_kind { SEL4_NONE, SEL4_QEMU64, SEL4_DEFAULT, SEL4_SUM };

struct ref {
    const char *name, *what;
    long sel4;
    enum sel4_kind kind;
    long target; /* at most this many ticks; -1: none */
};

static const struct ref refs[] = {
    { "null_syscall", "null syscall (unknown call number)", -1, SEL4_NONE, 100 },
    { "yield_self", "Yield, nobody else runnable", -1, SEL4_NONE, -1 },
    { "frame_map", "Frame map, one 4 KiB page", 745, SEL4_DEFAULT, -1 },
    { "frame_unmap", "Frame unmap, one 4 KiB page", -1, SEL4_NONE, -1 },
    { "frame_map_unmap", "Frame map + unmap", -1, SEL4_NONE, -1 },
    { "yield_thread", "Yield to a thread, same AS (one-way)", 279, SEL4_DEFAULT, -1 },
    { "yield_process", "Yield to a thread, other AS (one-way)", 280, SEL4_DEFAULT, -1 },
    { "ipc_rt_cross", "Call+ReplyRecv round trip, cross AS", 425, SEL4_SUM, 425 },
    { "ipc_rt_same", "Call+ReplyRecv round trip, same AS", 431, SEL4_SUM, -1 },
    { "ipc_call_cross", "Call one-way, cross AS", 199, SEL4_QEMU64, 200 },
    { "ipc_replyrecv_cross", "ReplyRecv one-way, cross AS", 226, SEL4_QEMU64, -1 },
    { "ipc_call_same", "Call one-way, same AS", 202, SEL4_QEMU64, 200 },
    { "ipc_replyrecv_same", "ReplyRecv one-way, same AS", 229, SEL4_QEMU64, -1 },
    { "ipc_send_recv", "Send -> higher-prio Recv, cross AS", 719, SEL4_DEFAULT, -1 },
    { "signal_wake_high", "Signal -> higher-prio Wait, cross AS", 529, SEL4_DEFAULT, -1 },
    { "signal_no_waiter", "Signal, nobody waiting", -1, SEL4_NONE, -1 },
    { "fault_pf_rt", "page fault round trip via pager, cross AS", 1336, SEL4_DEFAULT, 1336 },
    { "fault_pf_rt_same", "page fault round trip, same AS", 1336, SEL4_DEFAULT, -1 },
    { "fault_pf_to_handler", "page fault -> pager one-way, cross AS", -1, SEL4_NONE, -1 },
    { "fault_pf_reply", "pager reply -> faulter one-way, cross AS", -1, SEL4_NONE, -1 },
    { "fault_ud_rt_same", "ud2 fault round trip, same AS", 1336, SEL4_DEFAULT, -1 },
    { "irq_latency_idle", "IRQ latency, thread spinning in user mode", -1, SEL4_NONE, -1 },
    { "irq_latency_revoke_4k", "IRQ latency during Revoke, 2^12 chain", -1, SEL4_NONE, -1 },
    { "irq_latency_revoke_64k", "IRQ latency during Revoke, 2^16 chain", -1, SEL4_NONE, -1 },
    { "irq_latency_delete_4k", "IRQ latency during Delete, 2^12 CNode", -1, SEL4_NONE, -1 },
    { "irq_latency_delete_64k", "IRQ latency during Delete, 2^16 CNode", -1, SEL4_NONE, -1 },
    { "irq_latency_retype_64m", "IRQ latency during Retype, 64 MiB", -1, SEL4_NONE, -1 },
    { "irq_latency_retype_1g", "IRQ latency during Retype, 1 GiB", -1, SEL4_NONE, -1 },
};
#define N_REFS (sizeof(refs) / sizeof(refs[0]))

enum status { ST_OK, ST_SKIP, ST_FAIL };

struct result {
    char name[64];
    enum status status;
    char reason[256];
    unsigned long median, min, max, iters, runs;
    long fastpath; /* hits during the benchmark's runs; -1: not reported */
};

static struct result results[MAX_RESULTS];
static unsigned n_results, plan;
static bool done;
static char info_cpu[128], info_vendor[32], qemu_version[128];
static long info_overhead = -1, info_calib_insns = -1, info_calib_ticks = -1;
static long info_iters = -1, info_warmup = -1, info_clone_pages = -1;
static char info_ipc[16], info_fastpath[16];
static struct result setup_failure;
static bool have_setup_failure;

static void die(int status, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
static void die(int status, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "bench: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(status);
}

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const struct ref *find_ref(const char *name)
{
    for (size_t i = 0; i < N_REFS; i++)
        if (!strcmp(refs[i].name, name))
            return &refs[i];
    return NULL;
}

/* ------------------------------------------------------------ parsing */

/* The value of KEY=VALUE or KEY="VALUE" in s, copied to out; false if absent. */
static bool field(const char *s, const char *key, char *out, size_t size)
{
    size_t klen = strlen(key);
    for (const char *p = s; (p = strstr(p, key)); p++) {
        if ((p != s && p[-1] != ' ') || p[klen] != '=')
            continue;
        p += klen + 1;
        size_t n;
        if (*p == '"') {
            p++;
            n = strcspn(p, "\"");
        } else {
            n = strcspn(p, " ");
        }
        if (n >= size)
            n = size - 1;
        memcpy(out, p, n);
        out[n] = 0;
        return true;
    }
    return false;
}

static long number_field(const char *s, const char *key)
{
    char buf[32];
    if (!field(s, key, buf, sizeof(buf)))
        return -1;
    return strtol(buf, NULL, 10);
}

static struct result *new_result(const char *name, size_t len)
{
    if (n_results == MAX_RESULTS)
        return NULL;
    struct result *r = &results[n_results++];
    memset(r, 0, sizeof(*r));
    if (len >= sizeof(r->name))
        len = sizeof(r->name) - 1;
    memcpy(r->name, name, len);
    r->fastpath = -1;
    return r;
}

/* "skip NAME: REASON" / "fail NAME: REASON" */
static void parse_problem(const char *rest, enum status st)
{
    size_t len = strcspn(rest, ":");
    if (!strncmp(rest, "setup", len) && len == 5) {
        setup_failure.status = ST_FAIL;
        snprintf(setup_failure.reason, sizeof(setup_failure.reason), "%s",
                 rest[len] ? rest + len + 1 + (rest[len + 1] == ' ') : "");
        have_setup_failure = true;
        return;
    }
    struct result *r = new_result(rest, len);
    if (!r)
        return;
    r->status = st;
    if (rest[len])
        snprintf(r->reason, sizeof(r->reason), "%s", rest + len + 1 + (rest[len + 1] == ' '));
}

static void parse_line(const char *line)
{
    const char *p = strstr(line, TAG);
    if (!p)
        return;
    p += strlen(TAG);
    if (!strncmp(p, "plan ", 5)) {
        plan = (unsigned)strtoul(p + 5, NULL, 10);
    } else if (!strcmp(p, "done")) {
        done = true;
    } else if (!strncmp(p, "skip ", 5)) {
        parse_problem(p + 5, ST_SKIP);
    } else if (!strncmp(p, "fail ", 5)) {
        parse_problem(p + 5, ST_FAIL);
    } else if (!strncmp(p, "info ", 5)) {
        long v;
        field(p, "cpu", info_cpu, sizeof(info_cpu));
        field(p, "cpu_vendor", info_vendor, sizeof(info_vendor));
        field(p, "ipc", info_ipc, sizeof(info_ipc));
        field(p, "fastpath", info_fastpath, sizeof(info_fastpath));
        if ((v = number_field(p, "overhead")) >= 0)
            info_overhead = v;
        if ((v = number_field(p, "calib_insns")) >= 0)
            info_calib_insns = v;
        if ((v = number_field(p, "calib_ticks")) >= 0)
            info_calib_ticks = v;
        if ((v = number_field(p, "iters")) >= 0)
            info_iters = v;
        if ((v = number_field(p, "warmup")) >= 0)
            info_warmup = v;
        if ((v = number_field(p, "clone_pages")) >= 0)
            info_clone_pages = v;
    } else {
        size_t len = strcspn(p, " ");
        long med = number_field(p, "median"), min = number_field(p, "min");
        long iters = number_field(p, "iters");
        if (med < 0 || min < 0 || iters < 0)
            return; /* not a result line */
        struct result *r = new_result(p, len);
        if (!r)
            return;
        r->status = ST_OK;
        r->median = (unsigned long)med;
        r->min = (unsigned long)min;
        r->max = (unsigned long)number_field(p, "max");
        r->iters = (unsigned long)iters;
        r->fastpath = number_field(p, "fastpath");
        long runs = number_field(p, "runs");
        r->runs = runs < 0 ? 0 : (unsigned long)runs;
    }
}

/* ------------------------------------------------------------ running QEMU */

struct reader {
    char buf[LINE_MAX_LEN];
    size_t len;
    FILE *log;
    void (*on_line)(const char *line);
};

static void feed(struct reader *r, const char *data, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = data[i];
        if (c == '\r')
            continue;
        if (c == '\n' || r->len == sizeof(r->buf) - 1) {
            r->buf[r->len] = 0;
            if (r->log)
                fprintf(r->log, "%s\n", r->buf);
            if (r->on_line)
                r->on_line(r->buf);
            r->len = 0;
            if (c == '\n')
                continue;
        }
        r->buf[r->len++] = c;
    }
}

/* Run argv with stdout+stderr to on_line, killing its process group after
 * `timeout` seconds. Returns the wait status; *timed_out says whether it was killed. */
static int run(char **argv, double timeout, FILE *log, void (*on_line)(const char *),
               bool *timed_out)
{
    int fds[2];
    if (pipe(fds) < 0)
        die(1, "pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0)
        die(1, "fork: %s", strerror(errno));
    if (pid == 0) {
        setpgid(0, 0);
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2(null, 0);
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        execvp(argv[0], argv);
        fprintf(stderr, "bench: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid);
    close(fds[1]);
    struct reader rd = { .log = log, .on_line = on_line };
    double deadline = now_sec() + timeout;
    *timed_out = false;
    for (;;) {
        double left = deadline - now_sec();
        if (left <= 0) {
            *timed_out = true;
            kill(-pid, SIGKILL);
            break;
        }
        struct pollfd pfd = { fds[0], POLLIN, 0 };
        int k = poll(&pfd, 1, (int)(left * 1000) + 1);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            continue;
        char data[4096];
        ssize_t n = read(fds[0], data, sizeof(data));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        feed(&rd, data, (size_t)n);
    }
    if (rd.len)
        feed(&rd, "\n", 1);
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return status;
}

static void version_line(const char *line)
{
    if (!qemu_version[0])
        snprintf(qemu_version, sizeof(qemu_version), "%s", line);
}

/* ------------------------------------------------------------ output */

static const char *sel4_mark(enum sel4_kind k)
{
    switch (k) {
    case SEL4_DEFAULT: return " d";
    case SEL4_SUM: return " s";
    default: return "  ";
    }
}

static void print_table(const char *cpu_arg)
{
    printf("\nMica benchmarks: icount ticks (QEMU -icount shift=0,sleep=off: one tick per guest "
           "instruction)\n");
    printf("QEMU: %s\n", qemu_version[0] ? qemu_version : "(version unknown)");
    printf("CPU: -cpu %s; the guest sees %s \"%s\"\n", cpu_arg ? cpu_arg : "(QEMU default)",
           info_vendor[0] ? info_vendor : "?", info_cpu[0] ? info_cpu : "?");
    if (info_overhead >= 0)
        printf("Counter: rdtscp, %ld ticks per read, subtracted from every sample\n",
               info_overhead);
    if (info_calib_insns > 0 && info_calib_ticks >= 0)
        printf("Calibration: %ld instructions (dec/jnz loop) = %ld ticks: %.3f ticks per "
               "instruction\n", info_calib_insns, info_calib_ticks,
               (double)info_calib_ticks / (double)info_calib_insns);
    if (info_iters >= 0)
        printf("Samples: %ld timed iterations after %ld warm-up, median and minimum; kernel IPC: "
               "%s, fastpath: %s\n", info_iters, info_warmup, info_ipc[0] ? info_ipc : "?",
               info_fastpath[0] ? info_fastpath : "?");
    printf("\n%-22s %-42s %7s %7s %8s %6s %8s %7s %-8s %s\n", "benchmark", "operation", "median",
           "min", "max", "iters", "seL4", "target", "", "fastpath/op");
    for (unsigned i = 0; i < n_results; i++) {
        const struct result *r = &results[i];
        const struct ref *ref = find_ref(r->name);
        char sel4[32] = "-", target[32] = "-", verdict[16] = "";
        if (ref && ref->sel4 >= 0)
            snprintf(sel4, sizeof(sel4), "%ld%s", ref->sel4, sel4_mark(ref->kind));
        if (ref && ref->target >= 0) {
            snprintf(target, sizeof(target), "<=%ld", ref->target);
            if (r->status == ST_OK)
                snprintf(verdict, sizeof(verdict), "%s",
                         r->median <= (unsigned long)ref->target ? "met" : "OVER");
        }
        printf("%-22s %-42s ", r->name, ref ? ref->what : "");
        if (r->status != ST_OK) {
            printf("%s: %s\n", r->status == ST_SKIP ? "skipped" : "FAILED", r->reason);
            continue;
        }
        char fp[32] = "-";
        if (r->fastpath >= 0 && r->runs > 0)
            snprintf(fp, sizeof(fp), "%.2f", (double)r->fastpath / (double)r->runs);
        printf("%7lu %7lu %8lu %6lu %8s %7s %-8s %s\n", r->median, r->min, r->max, r->iters, sel4,
               target, verdict, fp);
    }
    printf("\nseL4 column (BENCHMARKS.md, sel4bench under the same QEMU settings): plain = "
           "-cpu qemu64,+rdtscp; d = QEMU's default CPU model; s = sum of two qemu64 one-way "
           "figures.\n");
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void json_number_or_null(FILE *f, long v)
{
    if (v < 0)
        fprintf(f, "null");
    else
        fprintf(f, "%ld", v);
}

static int write_json(const char *path, const char *cpu_arg, const char *run_status)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "bench: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    fprintf(f, "{\n  \"unit\": \"icount ticks (qemu -icount shift=0,sleep=off)\",\n");
    fprintf(f, "  \"qemu\": ");
    json_string(f, qemu_version);
    fprintf(f, ",\n  \"cpu\": ");
    json_string(f, cpu_arg ? cpu_arg : "");
    fprintf(f, ",\n  \"guest_cpu\": ");
    json_string(f, info_cpu);
    fprintf(f, ",\n  \"guest_cpu_vendor\": ");
    json_string(f, info_vendor);
    fprintf(f, ",\n  \"counter\": \"rdtscp\",\n  \"counter_overhead\": ");
    json_number_or_null(f, info_overhead);
    fprintf(f, ",\n  \"calibration\": {\"instructions\": ");
    json_number_or_null(f, info_calib_insns);
    fprintf(f, ", \"ticks\": ");
    json_number_or_null(f, info_calib_ticks);
    fprintf(f, "},\n  \"iterations\": ");
    json_number_or_null(f, info_iters);
    fprintf(f, ",\n  \"warmup\": ");
    json_number_or_null(f, info_warmup);
    fprintf(f, ",\n  \"ipc\": ");
    json_string(f, info_ipc);
    fprintf(f, ",\n  \"fastpath\": ");
    json_string(f, info_fastpath);
    fprintf(f, ",\n  \"run\": ");
    json_string(f, run_status);
    fprintf(f, ",\n  \"results\": [");
    for (unsigned i = 0; i < n_results; i++) {
        const struct result *r = &results[i];
        const struct ref *ref = find_ref(r->name);
        static const char *const st[] = { "ok", "skipped", "failed" };
        fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
        json_string(f, r->name);
        fprintf(f, ", \"operation\": ");
        json_string(f, ref ? ref->what : "");
        fprintf(f, ", \"status\": \"%s\"", st[r->status]);
        if (r->status == ST_OK) {
            fprintf(f, ", \"median\": %lu, \"min\": %lu, \"max\": %lu, \"iters\": %lu", r->median,
                    r->min, r->max, r->iters);
            fprintf(f, ", \"fastpath_hits\": ");
            json_number_or_null(f, r->fastpath);
            fprintf(f, ", \"runs\": ");
            json_number_or_null(f, r->runs ? (long)r->runs : -1);
        } else {
            fprintf(f, ", \"reason\": ");
            json_string(f, r->reason);
        }
        fprintf(f, ", \"sel4\": ");
        json_number_or_null(f, ref ? ref->sel4 : -1);
        fprintf(f, ", \"target_max\": ");
        json_number_or_null(f, ref ? ref->target : -1);
        fprintf(f, "}");
    }
    fprintf(f, "\n  ]\n}\n");
    return fclose(f);
}

/* ------------------------------------------------------------ main */

static void usage(void)
{
    fprintf(stderr, "usage: bench --kernel KERNEL --module \"PATH [ARGS]\" [--module ...] "
                    "[--timeout SECS] [--log FILE] [--json FILE] -- QEMU ARGV...\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *kernel = NULL, *log_path = NULL, *json_path = NULL, *modules[MAX_MODULES];
    size_t n_modules = 0;
    double timeout = 600;
    int i;
    for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
        const char *opt = argv[i];
        if (i + 1 >= argc)
            usage();
        const char *val = argv[++i];
        if (!strcmp(opt, "--kernel"))
            kernel = val;
        else if (!strcmp(opt, "--module") && n_modules < MAX_MODULES)
            modules[n_modules++] = val;
        else if (!strcmp(opt, "--timeout"))
            timeout = strtod(val, NULL);
        else if (!strcmp(opt, "--log"))
            log_path = val;
        else if (!strcmp(opt, "--json"))
            json_path = val;
        else
            usage();
    }
    if (i >= argc - 1 || !kernel || !n_modules || timeout <= 0)
        usage();
    char **qemu = argv + i + 1;
    int n_qemu = argc - i - 1;
    const char *cpu_arg = NULL;
    for (int k = 0; k + 1 < n_qemu; k++)
        if (!strcmp(qemu[k], "-cpu"))
            cpu_arg = qemu[k + 1];
    if (access(kernel, R_OK))
        die(1, "kernel not found: %s", kernel);

    /* The module list, as QEMU wants it: "path args,path args". */
    size_t len = 1;
    for (size_t m = 0; m < n_modules; m++) {
        if (strchr(modules[m], ','))
            die(2, "a module string cannot contain a comma: %s", modules[m]);
        len += strlen(modules[m]) + 1;
    }
    char *initrd = calloc(1, len);
    for (size_t m = 0; m < n_modules; m++) {
        if (m)
            strcat(initrd, ",");
        strcat(initrd, modules[m]);
    }

    bool timed_out;
    char *ver_argv[] = { qemu[0], "--version", NULL };
    run(ver_argv, 30, NULL, version_line, &timed_out);

    char **qargv = calloc((size_t)n_qemu + 5, sizeof(*qargv));
    memcpy(qargv, qemu, (size_t)n_qemu * sizeof(*qargv));
    qargv[n_qemu] = "-kernel";
    qargv[n_qemu + 1] = (char *)kernel;
    qargv[n_qemu + 2] = "-initrd";
    qargv[n_qemu + 3] = initrd;

    FILE *log = NULL;
    if (log_path && !(log = fopen(log_path, "w")))
        die(1, "cannot write %s: %s", log_path, strerror(errno));
    printf("bench: booting %s with %s under %s (timeout %g s)...\n", kernel, initrd, qemu[0],
           timeout);
    fflush(stdout);
    double t0 = now_sec();
    int status = run(qargv, timeout, log, parse_line, &timed_out);
    if (log)
        fclose(log);
    printf("bench: QEMU ran %.1f s (wall clock; not a measurement)\n", now_sec() - t0);

    char run_status[160];
    bool ok = false;
    if (timed_out)
        snprintf(run_status, sizeof(run_status), "killed after the %g s timeout", timeout);
    else if (WIFEXITED(status) && WEXITSTATUS(status) == MICA_QEMU_STATUS(MICA_EXIT_SUCCESS) && done)
        ok = true, snprintf(run_status, sizeof(run_status), "complete");
    else if (WIFEXITED(status))
        snprintf(run_status, sizeof(run_status), "QEMU exited with status %d%s",
                 WEXITSTATUS(status), done ? "" : " before the benchmarks were done");
    else
        snprintf(run_status, sizeof(run_status), "QEMU killed by signal %d",
                 WIFSIGNALED(status) ? WTERMSIG(status) : 0);

    print_table(cpu_arg);
    unsigned failed = 0, skipped = 0;
    for (unsigned r = 0; r < n_results; r++) {
        failed += results[r].status == ST_FAIL;
        skipped += results[r].status == ST_SKIP;
    }
    if (have_setup_failure)
        printf("\nset-up failed: %s\n", setup_failure.reason), ok = false;
    if (plan && n_results != plan)
        printf("\n%u of %u planned benchmarks reported\n", n_results, plan), ok = false;
    printf("\nrun: %s; %u measured, %u skipped, %u failed%s%s\n", run_status,
           n_results - failed - skipped, skipped, failed, log_path ? "; console in " : "",
           log_path ? log_path : "");
    if (json_path && !write_json(json_path, cpu_arg, run_status))
        printf("results: %s\n", json_path);
    return ok && !failed ? 0 : 1;
}

/* testrun: entry point, subcommand dispatch and usage. */
#include "testrun.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"usage:\n"
	"  testrun suite --name NAME --timeout SECS --out FILE --kernel KERNEL\n"
	"                [--module \"PATH [ARGS]\"]... [--append CMDLINE] [--log FILE]\n"
	"                [--send REGEX TEXT]... -- QEMU ARGV...\n"
	"  testrun case --timeout SECS --out FILE --kernel KERNEL [--log-dir DIR]\n"
	"               [-j N] CASEFILE... -- QEMU ARGV...\n"
	"  testrun unit --name NAME --out FILE [--timeout SECS] -- BINARY [ARGS...]\n"
	"  testrun summary FILE...\n"
	"See tools/testrun/README.md.\n";

/* "testrun: <message>\n" on stderr. */
static void report(const char *fmt, va_list ap)
{
	fputs("testrun: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs("\n", stderr);
}

void usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(fmt, ap);
	va_end(ap);
	fputs(usage_text, stderr);
	exit(2);
}

void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(fmt, ap);
	va_end(ap);
	exit(2);
}

/* The value after option argv[*i]; advances *i. */
const char *need_arg(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc)
		usage_error("option %s needs a value", argv[*i]);
	return argv[++*i];
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage_error("missing subcommand");
	const char *cmd = argv[1];
	if (strcmp(cmd, "suite") == 0)
		return cmd_suite(argc - 1, argv + 1);
	if (strcmp(cmd, "case") == 0)
		return cmd_case(argc - 1, argv + 1);
	if (strcmp(cmd, "unit") == 0)
		return cmd_unit(argc - 1, argv + 1);
	if (strcmp(cmd, "summary") == 0)
		return cmd_summary(argc - 1, argv + 1);
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	usage_error("unknown subcommand '%s'", cmd);
}

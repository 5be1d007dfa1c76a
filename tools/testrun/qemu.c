/* testrun: building the QEMU command line for a Mica boot. */
#include "testrun.h"

#include <stdlib.h>
#include <string.h>

/*
 * QEMU ARGV... -kernel KERNEL [-initrd "m1,m2"] [-append CMDLINE].
 * Multiboot modules are passed as one comma-separated -initrd string,
 * each entry "path args".
 */
char **qemu_argv(char **qemu, const char *kernel, char **modules,
		 size_t nmodules, const char *append)
{
	size_t n = 0;
	while (qemu[n])
		n++;
	char **argv = xmalloc((n + 7) * sizeof(*argv));
	memcpy(argv, qemu, n * sizeof(*argv));
	argv[n++] = "-kernel";
	argv[n++] = (char *)kernel;
	if (nmodules) {
		struct strlist l = { .v = modules, .n = nmodules };
		argv[n++] = "-initrd";
		argv[n++] = strlist_join(&l, ","); /* leaked: lives until exit */
	}
	if (append) {
		argv[n++] = "-append";
		argv[n++] = (char *)append;
	}
	argv[n] = NULL;
	return argv;
}

/*
 * A reason the modules cannot be booted, or NULL.  Checked here because
 * QEMU's own message for a missing module is easy to miss in the console.
 * Commas cannot be passed: QEMU splits the -initrd string on them.
 */
char *module_problem(char **modules, size_t nmodules)
{
	for (size_t i = 0; i < nmodules; i++) {
		if (strchr(modules[i], ','))
			return xasprintf("module string contains a comma: '%s'", modules[i]);
		size_t plen = strcspn(modules[i], " \t");
		char *path = strndup(modules[i], plen);
		bool ok = plen && file_exists(path);
		char *why = ok ? NULL : xasprintf("module file not found: %s", path);
		free(path);
		if (why)
			return why;
	}
	return NULL;
}

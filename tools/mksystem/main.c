/*
 * mksystem: compile a system description into a boot image.
 *
 *   mksystem [--search DIR]... [-o IMAGE] [--dot FILE] [--list] FILE.system
 *
 * The description is checked completely first; any error is reported as
 * `FILE:LINE: error: message` (all of them, up to a limit), the exit
 * status is 1 and nothing is written. Otherwise the image, the Graphviz
 * file and the listing are produced as asked. docs/system-description.md
 * is the reference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mksystem.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: mksystem [--search DIR]... [-o IMAGE] [--dot FILE] [--list] FILE.system\n"
            "\n"
            "Check a Mica system description and compile it into a boot image for init.\n"
            "\n"
            "  --search DIR  look for program_image files in DIR (in order; repeatable)\n"
            "  -o IMAGE      write the compiled system image (include/mica/system.h)\n"
            "  --dot FILE    write the system as a Graphviz digraph\n"
            "  --list        print the compiled system, one line per record\n"
            "  --help        this text\n"
            "\n"
            "Errors are reported as FILE:LINE: error: MESSAGE; with any error the exit\n"
            "status is 1 and nothing is written. Reference: docs/system-description.md\n");
}

/* "--opt VALUE" or "--opt=VALUE": 1 and *value set if argv[*i] is the
 * option `name` (consuming its value), -1 if its value is missing, 0 if
 * argv[*i] is something else. */
static int option_value(int argc, char **argv, int *i, const char *name, const char **value)
{
    size_t n = strlen(name);
    if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=') {
        *value = argv[*i] + n + 1;
        return 1;
    }
    if (strcmp(argv[*i], name))
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *value = argv[++*i];
    return 1;
}

int main(int argc, char **argv)
{
    struct options opt = {0};
    const char *image = NULL, *dot = NULL, *search = NULL;
    bool list = false;
    int r = 0;

    opt.search = xmalloc(sizeof *opt.search * (size_t)(argc > 0 ? argc : 1));
    for (int i = 1; i < argc && r >= 0; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            free(opt.search);
            return 0;
        }
        if ((r = option_value(argc, argv, &i, "--search", &search)) > 0)
            opt.search[opt.n_search++] = search;
        else if (r < 0 || (r = option_value(argc, argv, &i, "-o", &image)) != 0 ||
                 (r = option_value(argc, argv, &i, "--dot", &dot)) != 0)
            ;
        else if (!strcmp(argv[i], "--list"))
            list = true;
        else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "mksystem: unknown option '%s'\n", argv[i]);
            r = -2;
        } else if (opt.input) {
            fprintf(stderr, "mksystem: more than one description given ('%s' and '%s')\n", opt.input, argv[i]);
            r = -2;
        } else
            opt.input = argv[i];
        if (r == -1)
            fprintf(stderr, "mksystem: %s needs an argument\n", argv[i]);
    }
    if (r < 0) {
        usage(stderr);
        free(opt.search);
        return 2;
    }
    if (!opt.input) {
        usage(stderr);
        free(opt.search);
        return 2;
    }

    struct sys sys;
    memset(&sys, 0, sizeof sys);
    diag_init(opt.input);
    int status = 0;
    if (!sys_parse(&sys, opt.input))
        status = 1;
    else {
        sys_check(&sys, &opt);
        unsigned errors = diag_errors();
        diag_flush();
        if (errors) {
            fprintf(stderr, "mksystem: %u error%s in %s; nothing written\n", errors, errors == 1 ? "" : "s",
                    opt.input);
            status = 1;
        } else {
            if (image && sys_write_image(&sys, image))
                status = 2;
            if (!status && dot && sys_write_dot(&sys, dot))
                status = 2;
            if (!status && list)
                sys_list(&sys, stdout);
        }
    }
    sys_free(&sys);
    free(opt.search);
    return status;
}

/* tests/tools/arguments.c — a tool's command line (see arguments.h). */
#include "arguments.h"

#include <string.h>

#include "error.h"

bool tool_arguments(int *status, int argc, char **argv, const char *description, const Option *options,
                    size_t count, CliOperands *operands)
{
    Error err = { "" };
    const char *name = argc > 0 && strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argc > 0 ? argv[0] : "tool";
    switch (cli_parse_operands(argc, argv, description, options, count, operands, &err)) {
    case CLI_OK: return true;
    case CLI_HELP: *status = 0; return false;
    case CLI_ERROR: break;
    }
    report_error(name, &err);
    *status = TOOL_USAGE_ERROR;
    return false;
}

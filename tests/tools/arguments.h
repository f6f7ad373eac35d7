/* tests/tools/arguments.h — the command line of every grading tool: lib/cli's option
 * table, then the operands (files, suites, chapters), with the tools' exit statuses.
 *
 *     const Option options[] = { { "root", OPTION_STRING, &root, "the repository", 0, 0 } };
 *     CliOperands chapters = { .synopsis = "CHAPTER..." };
 *     int status;
 *     if (!tool_arguments(&status, argc, argv, "What the tool does.", options, 1, &chapters))
 *         return status;
 */
#ifndef VAELAB_ARGUMENTS_H
#define VAELAB_ARGUMENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"

/* The exit status of a tool called the wrong way (its --help and real errors are 0 and 1). */
enum { TOOL_USAGE_ERROR = 2 };

/* Parse argv with cli_parse_operands: true to go on; false after --help (*status = 0) or
 * after a mistake, reported on stderr as "tool: error: ..." (*status = TOOL_USAGE_ERROR). */
bool tool_arguments(int *status, int argc, char **argv, const char *description, const Option *options,
                    size_t count, CliOperands *operands);

#endif
